package modelscan

import (
	"archive/zip"
	"bytes"
)

func fixturesZip(name string, data []byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	f.Write(data)
	w.Close()
	return b.Bytes()
}
