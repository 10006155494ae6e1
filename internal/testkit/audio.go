package testkit

import "math"

// Correlation is Pearson's r of channel c of a[i] and b[i+lag] over their
// overlap: near 1 when b holds a's audio lag samples later.
func Correlation(a, b [][2]float64, c, lag int) float64 {
	var sa, sb, saa, sbb, sab, n float64
	for i := range a {
		j := i + lag
		if j < 0 || j >= len(b) {
			continue
		}
		x, y := a[i][c], b[j][c]
		sa, sb, saa, sbb, sab, n = sa+x, sb+y, saa+x*x, sbb+y*y, sab+x*y, n+1
	}
	cov := sab/n - sa/n*sb/n
	return cov / math.Sqrt((saa/n-sa*sa/n/n)*(sbb/n-sb*sb/n/n))
}
