

nReadFile