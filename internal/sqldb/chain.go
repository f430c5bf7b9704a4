package sqldb

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"xinfang"
)

// Events of a petition form a hash chain: each event's hash is the SM3 of
// the previous hash and the event's canonical text. Editing or deleting a
// stored event breaks every later hash, which VerifyChain finds. SM3 is the
// hash the national cryptography standards (商用密码) prescribe.

func canonical(e *xinfang.Event) string {
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%d|%s|%s|%s|%d|%s|%d|%s|%s", e.PetitionID, e.Seq, e.Action, e.From, e.To, e.ActorID, e.ActorName, e.ActorUnitID, fmtTime(e.At), e.Note)
	for _, k := range keys {
		v, _ := json.Marshal(e.Data[k]) // a string always marshals
		fmt.Fprintf(&b, "|%s=%s", k, v)
	}
	return b.String()
}

func seal(e *xinfang.Event, prev string) {
	e.PrevHash = prev
	h := sm3.Sum([]byte(prev + "\n" + canonical(e)))
	e.Hash = hex.EncodeToString(h[:])
}

// VerifyChain checks the hash chain of one petition's events, in order.
func VerifyChain(events []*xinfang.Event) error {
	prev := ""
	for i, e := range events {
		if e.Seq != i+1 {
			return xinfang.Errorf(xinfang.ECONFLICT, "第 %d 条记录缺失或顺序被改动", i+1)
		}
		want := *e
		seal(&want, prev)
		if e.PrevHash != prev || e.Hash != want.Hash {
			return xinfang.Errorf(xinfang.ECONFLICT, "第 %d 条记录（%s）与哈希链不符，可能被篡改", e.Seq, e.Action.Label())
		}
		prev = e.Hash
	}
	return nil
}
