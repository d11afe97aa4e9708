package ui

import "github.com/cvmscope/cvmscope/attestation/present"

// common is what every component shares: styles, the language and the key map. Components
// hold a pointer, so a language switch reaches all of them at once.
type common struct {
	st   Styles
	cat  catalog
	keys KeyMap
}

func newCommon(st Styles, lang present.Lang) *common {
	c := &common{st: st}
	c.setLang(lang)
	return c
}

func (c *common) setLang(l present.Lang) {
	c.cat = catalog{lang: l}
	c.keys = newKeyMap(c.cat)
}

func (c *common) lang() present.Lang { return c.cat.lang }
