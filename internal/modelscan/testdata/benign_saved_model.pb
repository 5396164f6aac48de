

nMatMul