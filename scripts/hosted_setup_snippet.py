# Outside a clone of the repository (Colab, a JupyterHub), cnnlib must be installed first.
try:
    import cnnlib
except ModuleNotFoundError:
    import importlib, subprocess, sys
    CNNLIB_SOURCE = "git+https://github.com/cnnlib-teaching/convolution-made-visible"
    if "google.colab" in sys.modules:
        print(f"Installing cnnlib: pip install {CNNLIB_SOURCE}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", CNNLIB_SOURCE], check=True)
        importlib.invalidate_caches()
    else:
        print(f"cnnlib is not installed: run  %pip install {CNNLIB_SOURCE}  in a cell, then restart the kernel.")
