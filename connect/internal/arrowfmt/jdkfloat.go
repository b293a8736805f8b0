package arrowfmt

import (
	"math"
	"math/big"
	"math/bits"
)

// Spark 4.0 runs on Java 17 or 21 and CAST(double AS STRING) is
// Double.toString. Up to JDK 18 that is the old FloatingDecimal digit
// generator, which is not always shortest: it prints 2.82879384806159008E17,
// 9.999999999999999E22 for 1e23, and extra digits for about 1% of random
// doubles and 6% of random floats. JDK 19+ prints the shortest digits.
// jdk17Digits reproduces the old generator's observable behaviour (including
// its fixed-width integer arithmetic and its overflow cut-offs) so that
// rendering matches a Java 17 server digit for digit; it was checked
// against Double.toString/Float.toString of a real JDK 17 on millions of
// values (see TestJDKCompare).

// nBits5 returns the bit length of 5^i (3 bits per power beyond the table),
// the size estimate the JDK uses to pick 32-bit, 64-bit or big arithmetic.
func nBits5(i int) int {
	if i >= len(pow5) {
		return i * 3
	}
	return bits.Len64(uint64(pow5[i]))
}

var pow5 = func() (t [27]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 5
	}
	return
}()

// jdk17Digits returns the decimal digits and the decimal exponent
// (value = 0.d1d2d3... * 10^decExp) that JDK 17's Double.toString (bits=64)
// or Float.toString (bits=32) produces for the finite non-zero |v|.
func jdk17Digits(v float64, bitsize int, buf []byte) ([]byte, int) {
	var fractBits int64
	var binExp, nSig int
	if bitsize == 32 {
		fb := math.Float32bits(float32(v)) & 0x7fffffff
		f := int32(fb & 0x7fffff)
		e := int(fb >> 23)
		if e == 0 {
			lz := bits.LeadingZeros32(uint32(f))
			shift := lz - (31 - 23)
			f <<= shift
			e = 1 - shift
			nSig = 32 - lz
		} else {
			f |= 1 << 23
			nSig = 24
		}
		binExp = e - 127
		fractBits = int64(f) << (52 - 23)
	} else {
		db := math.Float64bits(v) & (1<<63 - 1)
		f := int64(db & (1<<52 - 1))
		e := int(db >> 52)
		if e == 0 {
			lz := bits.LeadingZeros64(uint64(f))
			shift := lz - (63 - 52)
			f <<= shift
			e = 1 - shift
			nSig = 64 - lz
		} else {
			f |= 1 << 52
			nSig = 53
		}
		binExp = e - 1023
		fractBits = f
	}
	return fdDtoa(binExp, fractBits, nSig, buf)
}

func fdDtoa(binExp int, fractBits int64, nSig int, digits []byte) ([]byte, int) {
	digits = digits[:0]
	tailZeros := bits.TrailingZeros64(uint64(fractBits))
	nFractBits := 53 - tailZeros
	nTinyBits := max(0, nFractBits-binExp-1)

	// Integers that fit in a long: print the integer, dropping the digits
	// below the precision of the type (rounding half up).
	if binExp <= 62 && binExp >= -21 && nTinyBits == 0 && nFractBits+nBits5(0) < 64 {
		insignificant := 0
		if binExp > nSig {
			if p2 := binExp - nSig - 1; p2 > 1 && p2 < 64 {
				insignificant = int(float64(p2) * math.Log10(2))
			}
		}
		lv := fractBits
		if binExp >= 52 {
			lv <<= binExp - 52
		} else {
			lv = int64(uint64(lv) >> (52 - binExp))
		}
		decExp := 0
		if insignificant != 0 {
			p10 := pow5[insignificant] << insignificant
			res := lv % p10
			lv /= p10
			decExp += insignificant
			if res >= p10>>1 {
				lv++
			}
		}
		var tmp [20]byte
		n := len(tmp)
		for lv != 0 {
			n--
			tmp[n] = byte('0' + lv%10)
			lv /= 10
		}
		decExp += len(tmp) - n
		end := len(tmp)
		for end > n+1 && tmp[end-1] == '0' {
			end--
		}
		return append(digits, tmp[n:end]...), decExp
	}

	decExp := estimateDecExp(fractBits, binExp)
	B5 := max(0, -decExp)
	B2 := B5 + nTinyBits + binExp
	S5 := max(0, decExp)
	S2 := S5 + nTinyBits
	M5 := B5
	M2 := B2 - nSig

	fractBits = int64(uint64(fractBits) >> tailZeros)
	B2 -= nFractBits - 1
	common := min(B2, S2)
	B2 -= common
	S2 -= common
	M2 -= common
	if nFractBits == 1 {
		M2--
	}
	if M2 < 0 {
		B2 -= M2
		S2 -= M2
		M2 = 0
	}

	Bbits := nFractBits + B2 + nBits5(B5)
	tenSbits := S2 + 1 + nBits5(S5+1)
	var low, high bool
	var lowDiff int64
	// eForm mirrors the JDK's test for "at least two digits needed".
	eForm := func() bool { return decExp < -3 || decExp >= 8 }

	switch {
	case Bbits < 32 && tenSbits < 32:
		b := int32(fractBits) * int32(pow5[B5]) << B2
		s := int32(pow5[S5]) << S2
		m := int32(pow5[M5]) << M2
		tens := s * 10
		q := b / s
		b = 10 * (b % s)
		m *= 10
		low = b < m
		high = b+m > tens
		if q == 0 && !high {
			decExp--
		} else {
			digits = append(digits, byte('0'+q))
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			q = b / s
			b = 10 * (b % s)
			m *= 10
			if m > 0 {
				low = b < m
				high = b+m > tens
			} else {
				low, high = true, true
			}
			digits = append(digits, byte('0'+q))
		}
		lowDiff = int64(b<<1 - tens)
	case Bbits < 64 && tenSbits < 64:
		b := fractBits * pow5[B5] << B2
		s := pow5[S5] << S2
		m := pow5[M5] << M2
		tens := s * 10
		q := b / s
		b = 10 * (b % s)
		m *= 10
		low = b < m
		high = b+m > tens
		if q == 0 && !high {
			decExp--
		} else {
			digits = append(digits, byte('0'+q))
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			q = b / s
			b = 10 * (b % s)
			m *= 10
			if m > 0 {
				low = b < m
				high = b+m > tens
			} else {
				low, high = true, true
			}
			digits = append(digits, byte('0'+q))
		}
		lowDiff = b<<1 - tens
	default:
		S := pow52(S5, S2)
		B := new(big.Int).Mul(big.NewInt(fractBits), pow52(B5, B2))
		M := pow52(M5+1, M2+1)
		tenS := pow52(S5+1, S2+1)
		ten := big.NewInt(10)
		var q, sum big.Int
		step := func() int {
			q.QuoRem(B, S, B)
			B.Mul(B, ten)
			return int(q.Int64())
		}
		cmpHigh := func() bool { return sum.Add(B, M).Cmp(tenS) >= 0 }
		d := step()
		low = B.Cmp(M) < 0
		high = cmpHigh()
		if d == 0 && !high {
			decExp--
		} else {
			digits = append(digits, byte('0'+d))
		}
		if eForm() {
			low, high = false, false
		}
		for !low && !high {
			d = step()
			M.Mul(M, ten)
			low = B.Cmp(M) < 0
			high = cmpHigh()
			digits = append(digits, byte('0'+d))
		}
		if high && low {
			lowDiff = int64(new(big.Int).Lsh(B, 1).Cmp(tenS))
		}
	}
	decExponent := decExp + 1
	if high {
		if !low || lowDiff > 0 || (lowDiff == 0 && (digits[len(digits)-1]-'0')&1 != 0) {
			decExponent = fdRoundUp(digits, decExponent)
		}
	}
	return digits, decExponent
}

func fdRoundUp(digits []byte, decExponent int) int {
	i := len(digits) - 1
	q := digits[i]
	if q == '9' {
		for q == '9' && i > 0 {
			digits[i] = '0'
			i--
			q = digits[i]
		}
		if q == '9' {
			digits[0] = '1'
			return decExponent + 1
		}
	}
	digits[i] = q + 1
	return decExponent
}

func pow52(p5, p2 int) *big.Int {
	r := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(p5)), nil)
	return r.Lsh(r, uint(p2))
}

// estimateDecExp is floor(log10(v)) estimated from the binary exponent and
// mantissa, as the JDK computes it (possibly one too high, which the first
// digit step corrects).
func estimateDecExp(fractBits int64, binExp int) int {
	d2 := math.Float64frombits(uint64(0x3ff)<<52 | uint64(fractBits)&(1<<52-1))
	d := (d2-1.5)*0.289529654 + 0.176091259 + float64(binExp)*0.301029995663981
	return int(math.Floor(d))
}
