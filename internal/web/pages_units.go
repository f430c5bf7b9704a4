package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinfang"
)

// The system admin's pages of the unit tree (单位管理): the tree with the
// form for a new unit, and a unit's page to rename it, move it under
// another parent, deactivate or activate it. Each form posts to the page
// twin of an API route and makes the same store call.

type unitsView struct {
	base
	Units []*xinfang.Unit // the tree, parents first
	Form  url.Values
}

func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnits(w, r, url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, form url.Values, err error, status int) error {
	units, lerr := s.Directory.FindUnits(r.Context())
	if lerr != nil {
		return lerr
	}
	v := &unitsView{Units: units, Form: form}
	v.Title, v.Nav = "单位管理", "units"
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	}
	return s.render(w, r, status, "admin_units.html", v)
}

func (s *Server) handleCreateUnit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	u := &xinfang.Unit{ParentID: formID(f.Get("parent_id")), Code: strings.TrimSpace(f.Get("code")), Name: f.Get("name"),
		Kind: xinfang.UnitKind(f.Get("kind")), RegionCode: strings.TrimSpace(f.Get("region_code"))}
	if err := s.Directory.CreateUnit(r.Context(), u); err != nil {
		if xinfang.ErrorCode(err) != xinfang.EINVALID {
			return err
		}
		return s.renderUnits(w, r, f, err, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(u.ID, 10)+"?saved=created", http.StatusSeeOther)
	return nil
}

type unitView struct {
	base
	Unit     *xinfang.Unit
	Parent   *xinfang.Unit
	Children []*xinfang.Unit
	// Parents are the units it may move under: in use, outside its subtree.
	Parents []*xinfang.Unit
	Form    url.Values
	Which   string // the form an error belongs to
}

// unitSaved are the notices after each form of a unit's page.
var unitSaved = map[string]string{"created": "单位已创建", "edit": "已保存", "deactivate": "单位已停用", "activate": "单位已启用"}

func (s *Server) handleUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathIDOr(r, "id", "单位不存在")
	if err != nil {
		return err
	}
	return s.renderUnit(w, r, id, "", url.Values{}, nil, http.StatusOK)
}

func (s *Server) renderUnit(w http.ResponseWriter, r *http.Request, id int64, which string, form url.Values, err error, status int) error {
	units, idx, lerr := s.units(r)
	if lerr != nil {
		return lerr
	}
	u, ok := idx[id]
	if !ok {
		return xinfang.Errorf(xinfang.ENOTFOUND, "单位不存在")
	}
	v := &unitView{Unit: u, Parent: idx[u.ParentID], Form: form, Which: which}
	for _, o := range units {
		switch {
		case o.ParentID == u.ID:
			v.Children = append(v.Children, o)
		case !o.Disabled && !u.Contains(o):
			v.Parents = append(v.Parents, o)
		}
	}
	v.Title, v.Nav = u.Name, "units"
	s.fillBase(r, &v.base)
	if err != nil {
		v.Error, v.Fields = formMessage(err), xinfang.ErrorFields(err)
	} else {
		v.Notice = unitSaved[r.URL.Query().Get("saved")]
	}
	return s.render(w, r, status, "admin_unit.html", v)
}

// unitForm handles a form of a unit's page: "edit" (name and parent),
// "deactivate", "activate". A refusal comes back on the page with its
// message; anything else is the error page.
func unitForm(which string) handler {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathIDOr(r, "id", "单位不存在")
		if err != nil {
			return err
		}
		if err := parseForm(r); err != nil {
			return err
		}
		f, ctx := r.PostForm, r.Context()
		switch which {
		case "edit":
			name, parent := f.Get("name"), formID(f.Get("parent_id"))
			_, err = s.Directory.UpdateUnit(ctx, id, xinfang.UnitChange{Name: &name, ParentID: &parent})
		case "deactivate":
			_, err = s.Directory.DeactivateUnit(ctx, id)
		case "activate":
			_, err = s.Directory.ActivateUnit(ctx, id)
		}
		if err != nil {
			if code := xinfang.ErrorCode(err); code != xinfang.EINVALID && code != xinfang.ECONFLICT {
				return err
			}
			return s.renderUnit(w, r, id, which, f, err, statusOf(xinfang.ErrorCode(err)))
		}
		http.Redirect(w, r, "/admin/units/"+strconv.FormatInt(id, 10)+"?saved="+which, http.StatusSeeOther)
		return nil
	}
}
