package rarex

import (
	"math"
	"strconv"
)

// FormatNumber shows a money, share or quantity figure: at most six
// decimals, no trailing zeros, no float noise (0.1+0.2 shows as 0.3). Exact
// decisions never use it; it is for display and downloads.
func FormatNumber(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
}
