package orderfile

import (
	"errors"
	"fmt"
	"io"
)

// MaxRecord is the largest record of an import file, in bytes, in every format: a CSV record,
// an element of a JSON array or a line of JSON Lines. An order's 27 fields at their longest
// (model.MaxLen) come to under 2,000 characters, under 8 KiB even as JSON escapes; 64 KiB leaves
// room for any honest file and stops a broken or hostile one from taking the PC's memory (one
// 200 MB line used to take over a gigabyte).
const MaxRecord = 64 << 10

// errTooLarge is why a record is refused; RowError adds its row.
var errTooLarge = fmt.Errorf("is larger than %d KiB, more than any order can be: is this the file you meant? Nothing from this file is imported", MaxRecord>>10)

// boundedReader stops a decoder that reads far past the end of the record it last finished:
// consumed says where that is. The decoders buffer a whole record before they hand it over, so
// a record with no end would otherwise be read into memory whole. The slack covers a
// decoder's read-ahead; the decoders check each finished record against MaxRecord exactly.
type boundedReader struct {
	r        io.Reader
	read     int64
	slack    int64
	consumed func() int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.read-b.consumed() > MaxRecord+b.slack {
		return 0, errTooLarge
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// isTooLarge reports whether err is a record refused for its size, as the decoders return it
// (encoding/json and encoding/csv pass a reader's error through as is).
func isTooLarge(err error) bool { return errors.Is(err, errTooLarge) }
