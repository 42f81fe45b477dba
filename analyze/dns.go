package analyze

import "github.com/connscope/connscope/result"

func (a *Analyzer) finishNames(res *result.Result) { res.Names = []result.Name{} }
