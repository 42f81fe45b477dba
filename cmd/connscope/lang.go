package main

import (
	"os"
	"strings"

	"github.com/connscope/connscope/knowledge"
	"github.com/connscope/connscope/report"
)

// analyzeLangUsage and captureLangUsage are the --lang entries of the analyze and capture help.
const (
	analyzeLangUsage = `      --lang LANG       the language of the report's texts: en (default) or ja (Japanese);
                        without --lang, a Japanese locale (LC_ALL, LC_MESSAGES or LANG
                        starting with ja) words the table, Markdown and HTML reports in
                        Japanese (JSON and NDJSON stay English). JSON keys and verdict codes
                        are English in every language. The messages on standard error
                        (errors, warnings, the progress and --export lines) follow the
                        table's language; this help is English
`
	captureLangUsage = `      --lang LANG         the language of the live lines and the report: en (default) or ja;
                          without --lang, a Japanese locale (LC_ALL, LC_MESSAGES or LANG
                          starting with ja) words the live lines, the table and the
                          messages on standard error (errors, status lines) in Japanese.
                          JSON keys and verdict codes are English in every language
`
)

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// localeLang is the language the locale asks for: the first of LC_ALL, LC_MESSAGES and LANG that
// is set (POSIX precedence for messages) decides; "ja", "ja_JP.UTF-8" and the like are Japanese,
// anything else (C, POSIX, en_US.UTF-8, unset) English.
func localeLang() knowledge.Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := getenv(v); s != "" {
			if strings.HasPrefix(strings.ToLower(s), "ja") {
				return knowledge.Japanese
			}
			return knowledge.English
		}
	}
	return knowledge.English
}

// reportLang is the language a report in format f is worded in: the --lang flag when given, else
// defaultLang's.
func (o *analyzeOptions) reportLang(f report.Format) knowledge.Lang {
	if o.lang != "" {
		if l, err := knowledge.ParseLang(o.lang); err == nil {
			return l
		}
	}
	return defaultLang(f)
}

// defaultLang is the language of a report in format f when no --lang is given: the locale's for
// the formats people read (table, Markdown, HTML), English for JSON and NDJSON, whose texts
// programs may match and so must not change with the user's locale.
func defaultLang(f report.Format) knowledge.Lang {
	if f == report.FormatJSON || f == report.FormatNDJSON {
		return knowledge.English
	}
	return localeLang()
}
