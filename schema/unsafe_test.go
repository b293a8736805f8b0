package schema

import "unsafe"

func unsafeData(s string) *byte { return unsafe.StringData(s) }
