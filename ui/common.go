package ui

import "github.com/cvmscope/cvmscope/attestation/present"

// common is what every component shares: styles, the language and the key map. Components
// hold a pointer, so a language switch reaches all of them at once.
type common struct {
	st   Styles
	cat  catalog
	keys KeyMap
	// nonce: the runner can bind a new nonce (Runner.CanSetNonce). Saved files cannot, so
	// n is neither offered nor answered when inspecting them.
	nonce bool
}

func newCommon(st Styles, lang present.Lang, nonce bool) *common {
	c := &common{st: st, nonce: nonce}
	c.setLang(lang)
	return c
}

// setLang rebuilds the key map in l, keeping which keys the runner allows.
func (c *common) setLang(l present.Lang) {
	c.cat = catalog{lang: l}
	c.keys = newKeyMap(c.cat)
	c.keys.Nonce.SetEnabled(c.nonce)
}

func (c *common) lang() present.Lang { return c.cat.lang }
