package sqldb_test

import (
	"strings"
	"testing"

	"xinfang"
	"xinfang/internal/sqldb"
)

// TestActionNotifications: the unit an item is sent to hears of it, the
// unit it comes back to hears why, in the action's transaction; the one
// who acted hears nothing of his own action.
func TestActionNotifications(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqldb.DB) {
		w := newCaseWorld(t, db)
		inbox := func(u *xinfang.User) []*xinfang.Notification {
			t.Helper()
			items, _, _, err := db.Notifications.FindNotifications(w.Ctx(u), xinfang.NotificationFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var out []*xinfang.Notification
			for _, n := range items {
				if n.Kind == xinfang.NotificationItem {
					out = append(out, n)
				}
			}
			return out
		}
		p := w.Petition
		w.MustAct(t, w.RegistrarA, p.ID, transfer(w.TownB, 1))
		got := inbox(w.HandlerB)
		if len(got) != 1 || got[0].Subject != "收到转送的信访件 "+p.Number || got[0].Link != "/petitions/"+itoa(p.ID) || got[0].ItemID != p.ID {
			t.Fatalf("town B's handler after the transfer: %+v", got)
		}
		if n := inbox(w.HandlerA); len(n) != 0 {
			t.Errorf("town A heard of its own transfer: %+v", n)
		}
		w.MustAct(t, w.HandlerB, p.ID, xinfang.ActionInput{Action: xinfang.ActReturn, Version: 2, Data: map[string]string{"reason": "不属本单位职权范围"}})
		for _, u := range []*xinfang.User{w.HandlerA, w.HeadA} {
			got := inbox(u)
			if len(got) != 1 || got[0].Subject != "信访件 "+p.Number+" 被退回" || !strings.Contains(got[0].Body, "不属本单位职权范围") {
				t.Errorf("%s after the return: %+v", u.Username, got)
			}
		}
		if n := inbox(w.HandlerB); len(n) != 1 {
			t.Errorf("town B's handler heard of its own return: %d messages", len(n))
		}

		// Sent again, taken, answered: the registering town hears of the answer.
		w.MustAct(t, w.RegistrarA, p.ID, transfer(w.TownB, 3))
		w.MustAct(t, w.HandlerB, p.ID, xinfang.ActionInput{Action: xinfang.ActSign, Version: 4})
		w.MustAct(t, w.HandlerB, p.ID, xinfang.ActionInput{Action: xinfang.ActAccept, Version: 5})
		w.MustAct(t, w.HandlerB, p.ID, xinfang.ActionInput{Action: xinfang.ActReply, Version: 6, Data: map[string]string{"outcome": "support", "facts": "查明属实", "opinion": "支持诉求"}})
		got = inbox(w.HeadA)
		if len(got) != 2 || got[0].Subject != "信访件 "+p.Number+" 已答复" {
			t.Errorf("town A's head after the answer: %+v", got)
		}
	})
}
