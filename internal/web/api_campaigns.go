package web

import (
	"net/http"

	"xinfang"
	"xinfang/internal/calendar"
)

// The API of campaigns (专项行动), follow-up visits (跟踪回访) and a unit's
// task list, openapi_campaigns.json.

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Campaigns.FindCampaigns(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Campaign]{Items: items})
	return nil
}

// apiCampaignInput is what a client sends for a campaign.
type apiCampaignInput struct {
	Version       int                      `json:"version"`
	Name          string                   `json:"name"`
	UnitID        int64                    `json:"unit_id"`
	StartOn       calendar.Date            `json:"start_on"`
	EndOn         calendar.Date            `json:"end_on"`
	ResolveTarget int                      `json:"resolve_target"`
	Targets       []xinfang.CampaignTarget `json:"targets"`
	Note          string                   `json:"note"`
}

func (in *apiCampaignInput) campaign() *xinfang.Campaign {
	return &xinfang.Campaign{Name: in.Name, UnitID: in.UnitID, StartOn: in.StartOn, EndOn: in.EndOn, ResolveTarget: in.ResolveTarget, Targets: in.Targets, Note: in.Note}
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	var in apiCampaignInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	g := in.campaign()
	if err := s.Campaigns.CreateCampaign(r.Context(), g); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) apiUpdateCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiCampaignInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	g, err := s.Campaigns.UpdateCampaign(r.Context(), id, in.Version, in.campaign())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// apiCampaignDetail is a campaign with its progress and cases.
type apiCampaignDetail struct {
	*xinfang.Campaign
	Progress *xinfang.CampaignProgress `json:"progress"`
	List     []*xinfang.CampaignCase   `json:"case_list"`
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newAPIQuery(r)
	by := q.str("by")
	if err := q.err(); err != nil {
		return err
	}
	if by != "" && by != "week" && by != "month" {
		return xinfang.FieldError("by", "按周（week）或按月（month）")
	}
	g, pr, list, err := s.Campaigns.CampaignProgress(r.Context(), id, by)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiCampaignDetail{Campaign: g, Progress: pr, List: list})
	return nil
}

func (s *Server) apiCampaignAddCases(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in xinfang.CampaignAdd
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	g, n, err := s.Campaigns.AddCampaignCases(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		*xinfang.Campaign
		Added int `json:"added"`
	}{g, n})
	return nil
}

func (s *Server) apiCampaignRemoveCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	caseID, err := pathID(r, "case")
	if err != nil {
		return err
	}
	var in struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	g, err := s.Campaigns.RemoveCampaignCase(r.Context(), id, in.Version, caseID, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// apiFollowupsDue is one page of the follow-up due list.
type apiFollowupsDue struct {
	Items  []*xinfang.FollowupDue `json:"items"`
	Total  int                    `json:"total"`
	Offset int                    `json:"offset"`
	Limit  int                    `json:"limit"`
}

func (s *Server) apiFollowupsDue(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	offset, limit := q.number("offset", 0, 1<<30), q.number("limit", 0, 500)
	if err := q.err(); err != nil {
		return err
	}
	items, total, err := s.Followups.FindFollowupsDue(r.Context(), limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiFollowupsDue{Items: items, Total: total, Offset: offset, Limit: limit})
	return nil
}

func (s *Server) apiPetitionFollowups(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, replied, err := s.Followups.FindFollowups(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Items     []*xinfang.Followup `json:"items"`
		RepliedOn calendar.Date       `json:"replied_on,omitzero"`
	}{items, replied})
	return nil
}

// apiFollowupInput is what a client sends for a visit: Seen is the number
// of visits it read (another recorded meanwhile is a conflict).
type apiFollowupInput struct {
	Seen         int                    `json:"seen"`
	VisitedOn    calendar.Date          `json:"visited_on"`
	By           string                 `json:"by"`
	How          string                 `json:"how"`
	Mood         string                 `json:"mood"`
	Settled      bool                   `json:"settled"`
	Note         string                 `json:"note"`
	Reopen       xinfang.FollowupReopen `json:"reopen"`
	TaskDeadline calendar.Date          `json:"task_deadline"`
	LeaderID     int64                  `json:"leader_id"`
}

func (s *Server) apiRecordFollowup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in apiFollowupInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	f := &xinfang.Followup{VisitedOn: in.VisitedOn, By: in.By, How: in.How, Mood: in.Mood, Settled: in.Settled, Note: in.Note,
		Reopen: in.Reopen, TaskDeadline: in.TaskDeadline, LeaderID: in.LeaderID}
	if err := s.Followups.RecordFollowup(r.Context(), id, in.Seen, f); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (s *Server) apiUnitTasks(w http.ResponseWriter, r *http.Request) error {
	q := newAPIQuery(r)
	origin := xinfang.TaskOrigin(q.str("origin"))
	if err := q.err(); err != nil {
		return err
	}
	if origin != "" && origin != xinfang.TaskOriginAftercare && origin != xinfang.TaskOriginFollowup {
		return xinfang.FieldError("origin", "未知的任务来源")
	}
	items, err := s.Followups.FindUnitTasks(r.Context(), origin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiList[*xinfang.Task]{Items: items})
	return nil
}
