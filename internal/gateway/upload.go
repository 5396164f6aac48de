package gateway

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/wardenhq/warden/internal/llmapi"
)

// readUpload reads a file upload (multipart/form-data) within the body
// limit and, when its purpose is a batch or fine-tuning input, the prompts
// its JSONL lines carry. req is nil for other files (documents for
// assistants, images): they are forwarded unscanned and counted. An upload
// over the limit, or a batch file Warden cannot read, is refused: block
// mode does not pass on what it could not judge.
func (g *Gateway) readUpload(w http.ResponseWriter, r *http.Request) (body []byte, req *llmapi.Request, err error) {
	mt, params, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "a file upload must be multipart/form-data")
	}
	limit := g.cfg.Limits.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, nil, errorf(http.StatusRequestEntityTooLarge, "request_too_large",
			"the upload is %d bytes; Warden judges uploads of at most %d in block mode (limits.max_body_bytes)", r.ContentLength, limit)
	}
	body, err = g.bodies.read(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, errorf(http.StatusRequestEntityTooLarge, "request_too_large", "the upload exceeds the %d bytes Warden judges in block mode", limit)
		}
		if errors.Is(err, errBodiesFull) {
			return nil, nil, errorf(http.StatusServiceUnavailable, "overloaded", "Warden holds too many request bodies at once; retry shortly")
		}
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: "bad_body", Message: "could not read the upload", Err: err}
	}
	var purpose string
	var file []byte
	files, purposes := 0, 0
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			g.bodies.release(body)
			return nil, nil, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: "the upload is not valid multipart/form-data", Err: err}
		}
		b, err := io.ReadAll(part)
		if err != nil {
			g.bodies.release(body)
			return nil, nil, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: "the upload is not valid multipart/form-data", Err: err}
		}
		switch part.FormName() {
		case "purpose":
			purpose, purposes = string(b), purposes+1
		case "file":
			file, files = b, files+1
		}
	}
	if files > 1 || purposes > 1 {
		// Two readers could keep different ones (Warden the last, the
		// provider the first): what is uploaded must be what was judged.
		g.bodies.release(body)
		return nil, nil, errorf(http.StatusBadRequest, "invalid_request", "the upload is ambiguous: it has more than one file or purpose field")
	}
	if purpose != "batch" && purpose != "fine-tune" || file == nil {
		return body, nil, nil
	}
	req, err = llmapi.ParseBatchFile(file)
	if err != nil {
		g.bodies.release(body)
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: "invalid_request",
			Message: "the " + purpose + " file could not be read as prompts: " + publicParseError(err), Err: err}
	}
	return body, req, nil
}
