package ndjson

import (
	"strconv"
	"time"

	"github.com/connscope/connscope/report/escape"
)

// line builds one compact JSON object, member by member, into a reused buffer: no reflection
// and no allocation per member, so that a hundred thousand lines cost little more than their
// bytes.
type line struct {
	b     []byte
	first []bool // per open object or array: whether the next member is its first
}

// reset starts a new line with its outer object open.
func (l *line) reset() {
	l.b = append(l.b[:0], '{')
	l.first = append(l.first[:0], true)
}

// end closes the outer object and ends the line.
func (l *line) end() {
	l.b = append(l.b, '}', '\n')
	l.first = l.first[:0]
}

// key starts a member of the innermost object.
func (l *line) key(k string) {
	l.sep()
	l.b = append(l.b, '"')
	l.b = append(l.b, k...) // keys are plain ASCII
	l.b = append(l.b, '"', ':')
}

// sep writes the comma before every member or element but the first.
func (l *line) sep() {
	n := len(l.first) - 1
	if !l.first[n] {
		l.b = append(l.b, ',')
	}
	l.first[n] = false
}

// obj opens an object member; close ends it.
func (l *line) obj(k string) {
	l.key(k)
	l.b = append(l.b, '{')
	l.first = append(l.first, true)
}

// arr opens an array member; closeArr ends it.
func (l *line) arr(k string) {
	l.key(k)
	l.b = append(l.b, '[')
	l.first = append(l.first, true)
}

// elemObj opens an object as the next element of the innermost array.
func (l *line) elemObj() {
	l.sep()
	l.b = append(l.b, '{')
	l.first = append(l.first, true)
}

func (l *line) close()    { l.b = append(l.b, '}'); l.first = l.first[:len(l.first)-1] }
func (l *line) closeArr() { l.b = append(l.b, ']'); l.first = l.first[:len(l.first)-1] }

// str writes a string member.
func (l *line) str(k, v string) {
	l.key(k)
	l.b = appendString(l.b, v)
}

// strOpt writes a string member unless v is empty (ECS leaves out what is not known).
func (l *line) strOpt(k, v string) {
	if v != "" {
		l.str(k, v)
	}
}

func (l *line) int(k string, v int64) {
	l.key(k)
	l.b = strconv.AppendInt(l.b, v, 10)
}

func (l *line) float(k string, v float64) {
	l.key(k)
	l.b = strconv.AppendFloat(l.b, v, 'f', -1, 64)
}

func (l *line) bool(k string, v bool) {
	l.key(k)
	l.b = strconv.AppendBool(l.b, v)
}

// time writes a time member in UTC, RFC 3339 with nanoseconds; a time RFC 3339 cannot write (a
// corrupt timestamp outside the years 0-9999) as its Unix seconds.
func (l *line) time(k string, t time.Time) {
	l.key(k)
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		l.b = strconv.AppendInt(l.b, t.Unix(), 10)
		return
	}
	l.b = append(l.b, '"')
	l.b = t.AppendFormat(l.b, time.RFC3339Nano)
	l.b = append(l.b, '"')
}

// strs writes a list of strings (an empty list for nil).
func (l *line) strs(k string, vs []string) {
	l.arr(k)
	for _, v := range vs {
		l.sep()
		l.b = appendString(l.b, v)
	}
	l.closeArr()
}

// ints writes a list of integers.
func (l *line) ints(k string, vs []int) {
	l.arr(k)
	for _, v := range vs {
		l.sep()
		l.b = strconv.AppendInt(l.b, int64(v), 10)
	}
	l.closeArr()
}

// appendString appends s as a JSON string (escape.AppendJSON: every invisible character
// escaped).
func appendString(dst []byte, s string) []byte { return escape.AppendJSON(dst, s) }
