

nPyFunc