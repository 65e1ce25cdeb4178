"""Entry script of the bundled `chatsum-app` window (PyInstaller builds from a script,
not from a gui-script entry point); the same `main()` the installed command runs."""

import multiprocessing
import sys

from bundle_setup import install_bundled_models

from chatsum.ui.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    install_bundled_models()
    sys.exit(main())
