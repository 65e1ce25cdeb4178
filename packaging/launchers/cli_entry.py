"""Entry script of the bundled `chatsum` command (PyInstaller builds from a script,
not from a console-script entry point); the same `main()` the installed command runs."""

import multiprocessing
import sys

from bundle_setup import install_bundled_models

from chatsum.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    install_bundled_models()
    sys.exit(main())
