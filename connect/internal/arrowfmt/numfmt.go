package arrowfmt

import (
	"math"
	"math/big"
	"strconv"
)

// This file holds the allocation-free text primitives behind the renderers:
// Java-style floating point, plain decimals, proleptic Gregorian dates and
// Spark's interval strings. They append to a caller-owned buffer so that a
// whole row is rendered into one reused []byte.

// appendJavaFloat appends v the way Java's Double.toString (bits=64) or
// Float.toString (bits=32) prints it, which is what Spark's CAST(x AS STRING)
// uses: plain notation with at least one fractional digit when
// 1e-3 <= |v| < 1e7, otherwise computerized scientific notation "d.dddE-n"
// (no '+' on positive exponents); NaN, Infinity, -Infinity, -0.0.
//
// The digits are JDK 17's (jdk17Digits) unless shortest is set, in which
// case they are the shortest that round-trip, as JDK 19+ prints them
// (Raffaello Giulietti's algorithm), including its rule that when one digit
// suffices the closest two-digit decimal wins (Double.MIN_VALUE is
// "4.9E-324"); that rule only matters for subnormals.
func appendJavaFloat(dst []byte, v float64, bits int, shortest bool) []byte {
	switch {
	case v != v:
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var dbuf [32]byte
	var digits []byte
	var exp int // scientific exponent: v = d.ddd * 10^exp
	if shortest {
		digits, exp = shortestDigits(v, bits, dbuf[:0])
	} else {
		var decExponent int
		digits, decExponent = jdk17Digits(v, bits, dbuf[:0])
		exp = decExponent - 1
	}
	nd := len(digits)
	if exp >= -3 && exp < 7 {
		if exp >= 0 {
			intDigits := exp + 1
			for j := 0; j < intDigits; j++ {
				if j < nd {
					dst = append(dst, digits[j])
				} else {
					dst = append(dst, '0')
				}
			}
			dst = append(dst, '.')
			if nd > intDigits {
				dst = append(dst, digits[intDigits:nd]...)
			} else {
				dst = append(dst, '0')
			}
			return dst
		}
		dst = append(dst, '0', '.')
		for j := 0; j < -exp-1; j++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0], '.')
	if nd > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// shortestDigits returns the shortest round-trip digits of v > 0 and the
// scientific exponent, with the JDK 19+ two-digit rule for subnormals.
func shortestDigits(v float64, bits int, digits []byte) ([]byte, int) {
	var scratch [40]byte
	s := strconv.AppendFloat(scratch[:0], v, 'e', -1, bits)
	k := 0
	for ; k < len(s) && s[k] != 'e'; k++ {
		if s[k] != '.' {
			digits = append(digits, s[k])
		}
	}
	exp := parseExp(s[k+1:])
	if n := len(digits); n > 1 && (digits[n-1]-'0')&1 != 0 {
		// On an exact tie between two shortest candidates Java takes the
		// even one (float 2^-12 = 2.44140625E-4 -> "2.4414062E-4"); Go's
		// shortest formatting may take the odd one. The correctly rounded
		// (ties-to-even) n-digit decimal is Java's choice when it round-trips.
		var s2buf [40]byte
		s2 := strconv.AppendFloat(s2buf[:0], v, 'e', n-1, bits)
		if f, err := strconv.ParseFloat(string(s2), bits); err == nil && f == v {
			digits = digits[:0]
			k = 0
			for ; k < len(s2) && s2[k] != 'e'; k++ {
				if s2[k] != '.' {
					digits = append(digits, s2[k])
				}
			}
			exp = parseExp(s2[k+1:])
		}
	}
	if len(digits) == 1 && isSubnormal(v, bits) {
		var s2buf [40]byte
		s2 := strconv.AppendFloat(s2buf[:0], v, 'e', 1, bits)
		if f, err := strconv.ParseFloat(string(s2), bits); err == nil && f == v && s2[2] != '0' {
			digits = append(digits[:0], s2[0], s2[2])
			exp = parseExp(s2[4:])
		}
	}
	return digits, exp
}

func parseExp(s []byte) int {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

func isSubnormal(v float64, bits int) bool {
	a := math.Abs(v)
	if bits == 32 {
		return a < 0x1p-126
	}
	return a < 0x1p-1022
}

// appendPlainDecimal appends the unscaled value u with the given scale in
// plain notation (java.math.BigDecimal.toPlainString), which is what Spark 4
// uses for CAST(decimal AS STRING) under ANSI mode (the 4.0 default): exactly
// scale fractional digits, never an exponent.
func appendPlainDecimal(dst []byte, u int64, scale int32) []byte {
	neg := u < 0
	var mag uint64
	if neg {
		mag = uint64(-(u + 1)) + 1 // safe for MinInt64
	} else {
		mag = uint64(u)
	}
	var tmp [24]byte
	ds := strconv.AppendUint(tmp[:0], mag, 10)
	return appendScaledDigits(dst, neg, ds, scale)
}

// appendBigDecimal is the slow path for unscaled values outside int64.
func appendBigDecimal(dst []byte, u *big.Int, scale int32) []byte {
	neg := u.Sign() < 0
	ds := u.Append(nil, 10)
	if neg {
		ds = ds[1:]
	}
	return appendScaledDigits(dst, neg, ds, scale)
}

func appendScaledDigits(dst []byte, neg bool, ds []byte, scale int32) []byte {
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case scale <= 0:
		dst = append(dst, ds...)
		if len(ds) == 1 && ds[0] == '0' {
			return dst // BigDecimal("0E+2").toPlainString() == "0"
		}
		for j := int32(0); j < -scale; j++ {
			dst = append(dst, '0')
		}
		return dst
	case int(scale) >= len(ds):
		dst = append(dst, '0', '.')
		for j := len(ds); j < int(scale); j++ {
			dst = append(dst, '0')
		}
		return append(dst, ds...)
	default:
		p := len(ds) - int(scale)
		dst = append(dst, ds[:p]...)
		dst = append(dst, '.')
		return append(dst, ds[p:]...)
	}
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse). Valid for the whole int64 range
// Arrow can carry in Date32 and for every instant representable in Timestamp.
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z
	if z < 0 {
		era = z - 146096
	}
	era /= 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11]
	d = int(doy - (153*mp+2)/5 + 1)          // [1, 31]
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendYear appends a year as java.time's ISO formatter does
// (appendValue(YEAR, 4, 10, SignStyle.EXCEEDS_PAD)): at least four digits,
// a '+' for years above 9999, '-' for years before 0000.
func appendYear(dst []byte, y int64) []byte {
	if y > 9999 {
		dst = append(dst, '+')
	} else if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	if y <= 9999 {
		return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	}
	return strconv.AppendInt(dst, y, 10)
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendDate appends days since the epoch as yyyy-MM-dd.
func appendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	dst = appendYear(dst, y)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendFraction appends ".fffffffff" for nanos in (0, 1e9) with trailing
// zeros removed (java.time appendFraction(NANO_OF_SECOND, 0, 9, true)).
func appendFraction(dst []byte, nanos int64) []byte {
	if nanos <= 0 {
		return dst
	}
	var f [9]byte
	for j := 8; j >= 0; j-- {
		f[j] = byte('0' + nanos%10)
		nanos /= 10
	}
	n := 9
	for n > 0 && f[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, f[:n]...)
}

// appendLocalDateTime appends local seconds since the epoch plus nanos as
// "yyyy-MM-dd HH:mm:ss[.fffffffff]".
func appendLocalDateTime(dst []byte, sec, nanos int64) []byte {
	days := floorDiv(sec, 86400)
	sod := int(sec - days*86400)
	dst = appendDate(dst, days)
	dst = append(dst, ' ')
	dst = appendClock(dst, sod)
	return appendFraction(dst, nanos)
}

func appendClock(dst []byte, sod int) []byte {
	dst = append2(dst, sod/3600)
	dst = append(dst, ':')
	dst = append2(dst, sod/60%60)
	dst = append(dst, ':')
	return append2(dst, sod%60)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// appendDayTimeInterval appends micros as Spark's
// IntervalUtils.toDayTimeIntervalString(ANSI_STYLE, DAY, SECOND):
// INTERVAL '[-]d hh:mm:ss[.ffffff]' DAY TO SECOND.
func appendDayTimeInterval(dst []byte, micros int64) []byte {
	dst = append(dst, "INTERVAL '"...)
	if micros == math.MinInt64 {
		// Spark special-cases Long.MinValue because negation overflows.
		dst = append(dst, "-106751991 04:00:54.775808"...)
		return append(dst, "' DAY TO SECOND"...)
	}
	if micros < 0 {
		dst = append(dst, '-')
		micros = -micros
	}
	const perDay = 86400 * 1_000_000
	dst = strconv.AppendInt(dst, micros/perDay, 10)
	rest := micros % perDay
	dst = append(dst, ' ')
	dst = append2(dst, int(rest/3_600_000_000))
	rest %= 3_600_000_000
	dst = append(dst, ':')
	dst = append2(dst, int(rest/60_000_000))
	rest %= 60_000_000
	dst = append(dst, ':')
	dst = appendSeconds(dst, rest, true)
	return append(dst, "' DAY TO SECOND"...)
}

// appendSeconds appends micros as BigDecimal.valueOf(micros, 6)
// .stripTrailingZeros().toPlainString(), zero padded to two integer digits
// when pad is set.
func appendSeconds(dst []byte, micros int64, pad bool) []byte {
	s := micros / 1_000_000
	if pad && s < 10 {
		dst = append(dst, '0')
	}
	dst = strconv.AppendInt(dst, s, 10)
	return appendFraction(dst, (micros%1_000_000)*1000)
}

// appendYearMonthInterval appends months as Spark's
// IntervalUtils.toYearMonthIntervalString(ANSI_STYLE, YEAR, MONTH).
func appendYearMonthInterval(dst []byte, months int32) []byte {
	dst = append(dst, "INTERVAL '"...)
	m := int64(months)
	if m < 0 {
		dst = append(dst, '-')
		m = -m
	}
	dst = strconv.AppendInt(dst, m/12, 10)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, m%12, 10)
	return append(dst, "' YEAR TO MONTH"...)
}

// appendCalendarInterval appends a value as Spark's CalendarInterval.toString
// (e.g. "1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds").
func appendCalendarInterval(dst []byte, months, days int32, micros int64) []byte {
	if months == 0 && days == 0 && micros == 0 {
		return append(dst, "0 seconds"...)
	}
	start := len(dst)
	unit := func(v int64, name string) {
		if v != 0 {
			dst = strconv.AppendInt(dst, v, 10)
			dst = append(dst, ' ')
			dst = append(dst, name...)
			dst = append(dst, ' ')
		}
	}
	if months != 0 {
		unit(int64(months/12), "years")
		unit(int64(months%12), "months")
	}
	unit(int64(days), "days")
	if micros != 0 {
		rest := micros
		unit(rest/3_600_000_000, "hours")
		rest %= 3_600_000_000
		unit(rest/60_000_000, "minutes")
		rest %= 60_000_000
		if rest != 0 {
			if rest < 0 {
				dst = append(dst, '-')
				rest = -rest
			}
			dst = appendSeconds(dst, rest, false)
			dst = append(dst, " seconds "...)
		}
	}
	if len(dst) > start {
		dst = dst[:len(dst)-1]
	}
	return dst
}
