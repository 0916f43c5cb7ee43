package detect

// validSSN applies the US Social Security number rules: area 001-899 except
// 666, group 01-99, serial 0001-9999.
func validSSN(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area, group, serial := prefixInt(d, 3), prefixInt(d[3:], 2), prefixInt(d[5:], 4)
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}
