// Package install writes corelab's Jupyter kernelspec: the directory
// kernels/corelab with kernel.json (argv pointing at the corelab binary that
// runs the install, language go, interrupt_mode message) and its logos.
//
// It looks for Jupyter's data directories the way jupyter_core does:
//
//	--user        $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter
//	              (macOS: ~/Library/Jupyter; Windows: %APPDATA%\jupyter)
//	--sys-prefix  sys.prefix/share/jupyter of the Python that runs Jupyter
//	              ($CORELAB_PYTHON, else /usr/bin/python3, else python3 on PATH)
//	--prefix DIR  DIR/share/jupyter
//
// and then writes kernels/corelab under it.
package install
