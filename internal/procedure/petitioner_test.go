package procedure_test

import (
	"strings"
	"testing"

	"xinfang"
)

// The petitioner's actions on the portal: the rows of the table with their
// states, data and windows, but no role or side; and staff may not enter
// the evaluation of an item submitted online.
func TestApplyPetitioner(t *testing.T) {
	online := func(p *xinfang.Petition) { p.Channel = xinfang.ChannelOnline }
	portal := &xinfang.User{ID: 999, Name: "网上信访（信访人本人）"}

	it := build(t, townFlow, "delivered", online)
	delivered := it.last()
	// Staff: refused for an online item.
	if _, err := it.try(registrar, xinfang.ActEvaluate, delivered, evaluateData); xinfang.ErrorFields(err)["rating_unit"] == "" || !strings.Contains(xinfang.ErrorMessage(err), "网上评价") {
		t.Errorf("staff evaluating an online item: %v", err)
	}
	// The petitioner: within the window, once.
	req := it.request(portal, xinfang.ActEvaluate, delivered, evaluateData)
	e, err := pr.ApplyPetitioner(req, lookup{})
	if err != nil {
		t.Fatal(err)
	}
	it.record(e)
	if _, err := pr.ApplyPetitioner(it.request(portal, xinfang.ActEvaluate, delivered, evaluateData), lookup{}); xinfang.ErrorFields(err)["rating_unit"] == "" {
		t.Errorf("second evaluation: %v", err)
	}
	// Not an action of the petitioner's.
	if _, err := pr.ApplyPetitioner(it.request(portal, xinfang.ActConclude, delivered, nil), lookup{}); xinfang.ErrorFields(err)["action"] == "" {
		t.Errorf("the petitioner concluding: %v", err)
	}

	// After the evaluation window (30 days from delivery, rolled forward).
	late := build(t, townFlow, "delivered", online)
	due := late.clock(xinfang.ClockEvaluation, late.last()).Due
	after := due.Time().Add(24*60*60e9 + 10*60*60e9)
	_, err = pr.ApplyPetitioner(late.request(portal, xinfang.ActEvaluate, after, evaluateData), lookup{})
	if xinfang.ErrorFields(err)["rating_unit"] == "" || !strings.Contains(xinfang.ErrorMessage(err), due.String()) {
		t.Errorf("late evaluation: %v", err)
	}
	// A paper item: staff enter the evaluation as before.
	paper := build(t, townFlow, "delivered")
	if _, err := paper.try(registrar, xinfang.ActEvaluate, paper.last(), evaluateData); err != nil {
		t.Errorf("staff evaluating a letter: %v", err)
	}
}
