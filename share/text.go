package share

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// UTF8 returns a playlist file's bytes as UTF-8: a file in UTF-16 that
// starts with its byte order mark (Windows tools' "Unicode" text: Notepad,
// Windows Media Player's M3U, iTunes's exports) decoded, any other file as
// it is (ParseM3U8 and ParsePLS read a line that is not UTF-8 as
// Windows-1252, ParseXSPF the encoding its XML declaration names). Its
// NUL bytes made such a file "binary data". Errors: UTF-16 that does not
// decode.
func UTF8(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, []byte{0xff, 0xfe}) && !bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return b, nil
	}
	out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("decode UTF-16: %w", err)
	}
	return out, nil
}

// xmlCharset is ParseXSPF's CharsetReader: the encoding an XML declaration
// names (ISO-8859-1, Windows-1252, Shift_JIS..., by their WHATWG labels)
// decoded to UTF-8. UTF-16 passes through: a UTF-16 file reaches the XML
// decoder as UTF-8 (UTF8 decoded it), its declaration left as it was.
// Without it every declaration but UTF-8 failed with encoding/xml's
// "Decoder.CharsetReader is nil".
func xmlCharset(label string, r io.Reader) (io.Reader, error) {
	if l := strings.ToLower(strings.TrimSpace(label)); strings.HasPrefix(l, "utf-16") || l == "ucs-2" || l == "unicode" {
		return r, nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, fmt.Errorf("its XML declaration names the encoding %q, which segue does not know: save it as UTF-8", label)
	}
	return enc.NewDecoder().Reader(r), nil
}
