package rarex

import "sort"

// Action names something a caller asks to do. Every service call names its
// action and asks Authorize once; the policy table below is the only place
// that says who may do what.
type Action string

// Actions of the foundation. Later engines add theirs to the table.
const (
	ActViewSelf       Action = "self.view"           // read one's own account
	ActManageTokens   Action = "tokens.manage"       // create, list, revoke one's own API tokens
	ActListOrgs       Action = "orgs.list"           // list every organisation
	ActViewOrg        Action = "org.view"            // read one organisation
	ActListUsers      Action = "users.list"          // list an organisation's users
	ActCreateUser     Action = "users.create"        // add a user to any organisation
	ActDisableUser    Action = "users.disable"       // disable or re-enable a user
	ActCreateOrg      Action = "orgs.create"         // add an organisation
	ActAdminTokens    Action = "tokens.admin"        // create, list, revoke other users' API tokens
	ActDetermine      Action = "determine"           // ask whether an export needs a licence
	ActManageBOMs     Action = "boms.manage"         // upload, roll up and delete one's organisation's BOMs
	ActScreen         Action = "screen"              // screen party names against the stored lists
	ActViewLists      Action = "lists.view"          // see which lists are loaded, their versions and diffs
	ActImportLists    Action = "lists.import"        // import a new version of a restricted-party list
	ActClearHits      Action = "hits.clear"          // clear a screening hit as a false positive
	ActViewIndicators Action = "indicators.view"     // read the supply-stability indicators (aggregates and public facts)
	ActApply          Action = "applications.apply"  // write, submit, answer, withdraw one's organisation's licence applications
	ActViewApps       Action = "applications.view"   // read licence applications, their documents and licences
	ActReview         Action = "applications.review" // request information, decide, countersign
	ActShip           Action = "shipments.record"    // record shipments against one's organisation's licences
	ActManageLicences Action = "licences.manage"     // suspend, reinstate or revoke a licence
	ActManageRegister Action = "register.manage"     // keep the validated end-user register and exporter profiles
	ActViewRegister   Action = "register.view"       // read the validated end-user register and exporter profiles
	ActViewEvents     Action = "events.view"         // read the audit trail
	ActManageWebhooks Action = "webhooks.manage"     // register, list and remove one's organisation's webhooks
	ActViewMetrics    Action = "metrics.view"        // scrape /metrics (an admin's API token in Prometheus)
)

// Scope says how far a role's permission reaches.
type Scope int

// Scopes, from none to all tenants.
const (
	ScopeNone   Scope = iota // denied
	ScopeOwnOrg              // only resources of the caller's own organisation
	ScopeAny                 // resources of every organisation
)

// policy maps each action to the scope each role has. A role missing from
// an action's row is denied; an action missing from the table is denied.
var policy = map[Action]map[Role]Scope{
	ActViewSelf:       {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg, RoleOverseer: ScopeOwnOrg},
	ActManageTokens:   {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg, RoleOverseer: ScopeOwnOrg},
	ActListOrgs:       {RoleReviewer: ScopeAny, RoleAdmin: ScopeAny},
	ActViewOrg:        {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeAny, RoleAdmin: ScopeAny, RoleOverseer: ScopeOwnOrg},
	ActListUsers:      {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeAny, RoleOverseer: ScopeOwnOrg},
	ActCreateUser:     {RoleAdmin: ScopeAny},
	ActDisableUser:    {RoleAdmin: ScopeAny},
	ActCreateOrg:      {RoleAdmin: ScopeAny},
	ActAdminTokens:    {RoleAdmin: ScopeAny},
	ActDetermine:      {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg, RoleOverseer: ScopeOwnOrg},
	ActManageBOMs:     {RoleExporter: ScopeOwnOrg},
	ActScreen:         {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg},
	ActViewLists:      {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg, RoleOverseer: ScopeOwnOrg},
	ActImportLists:    {RoleAdmin: ScopeAny},
	ActClearHits:      {RoleReviewer: ScopeOwnOrg},
	ActViewIndicators: {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeOwnOrg, RoleAdmin: ScopeOwnOrg, RoleOverseer: ScopeOwnOrg},
	ActApply:          {RoleExporter: ScopeOwnOrg},
	ActViewApps:       {RoleExporter: ScopeOwnOrg, RoleReviewer: ScopeAny, RoleAdmin: ScopeAny},
	ActReview:         {RoleReviewer: ScopeAny},
	ActShip:           {RoleExporter: ScopeOwnOrg},
	ActManageLicences: {RoleAdmin: ScopeAny},
	ActManageRegister: {RoleAdmin: ScopeAny},
	ActViewRegister:   {RoleReviewer: ScopeAny, RoleAdmin: ScopeAny},
	ActViewEvents:     {RoleExporter: ScopeOwnOrg, RoleAdmin: ScopeAny},
	ActManageWebhooks: {RoleExporter: ScopeOwnOrg},
	ActViewMetrics:    {RoleAdmin: ScopeAny},
}

// ScopeOf returns the scope role has for action.
func ScopeOf(role Role, action Action) Scope { return policy[action][role] }

// Actions lists every action in the policy, sorted.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Authorize decides whether actor may perform action on a resource that
// belongs to organisation orgID ("" for resources of no organisation, which
// need ScopeAny unless the action is about the actor itself).
// It returns EUNAUTHORIZED for no actor or a disabled one, EFORBIDDEN when the
// policy denies, and nil when it allows.
func Authorize(actor *User, action Action, orgID string) error {
	if actor == nil || actor.Disabled() {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	switch ScopeOf(actor.Role, action) {
	case ScopeAny:
		return nil
	case ScopeOwnOrg:
		if orgID == actor.OrgID || (orgID == "" && isSelfAction(action)) {
			return nil
		}
	}
	return Errorf(EFORBIDDEN, "Your role (%s) may not do this (%s).", actor.Role, action)
}

func isSelfAction(a Action) bool {
	return a == ActViewSelf || a == ActManageTokens || a == ActDetermine
}
