package accounts

import (
	"context"

	"rarex"
)

// DemoLogin is one seeded account. Password is empty when the account
// already existed: passwords are printed only when they are made.
type DemoLogin struct {
	Email    string
	Role     rarex.Role
	Org      string
	Password string
}

type demoOrg struct {
	name, country string
	kind          rarex.OrgKind
	users         []NewUser
}

var demo = []demoOrg{
	{name: "Red River Motors (demo)", country: "VN", kind: rarex.OrgExporter, users: []NewUser{
		{Email: "linh@redriver.example", Name: "Linh Tran", Role: rarex.RoleExporter},
		{Email: "an@redriver.example", Name: "An Nguyen", Role: rarex.RoleExporter},
	}},
	{name: "Ningbo Magnet Works (demo)", country: "CN", kind: rarex.OrgExporter, users: []NewUser{
		{Email: "wei@ningbo.example", Name: "Wei Chen", Role: rarex.RoleExporter},
	}},
	{name: "Baotou Rare Earth Metals (demo)", country: "CN", kind: rarex.OrgExporter, users: []NewUser{
		{Email: "bao@baotou.example", Name: "Bao Lin", Role: rarex.RoleExporter},
	}},
	{name: "Licensing Authority (demo)", country: "CN", kind: rarex.OrgAuthority, users: []NewUser{
		{Email: "zhang@authority.example", Name: "Zhang Min", Role: rarex.RoleReviewer},
		{Email: "li@authority.example", Name: "Li Na", Role: rarex.RoleReviewer},
		{Email: "admin@authority.example", Name: "Liu Yang", Role: rarex.RoleAdmin},
	}},
	{name: "Supply Monitor (demo)", kind: rarex.OrgOverseer, users: []NewUser{
		{Email: "amara@monitor.example", Name: "Amara Okafor", Role: rarex.RoleOverseer},
	}},
}

// SeedDemo creates the demo organisations and users that do not exist yet.
// Running it again changes nothing and returns the same logins without passwords.
func (s *Service) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	var out []DemoLogin
	for _, d := range demo {
		org, err := s.Store.FindOrgByName(ctx, d.name)
		if rarex.ErrorCode(err) == rarex.ENOTFOUND {
			org, err = s.CreateOrg(ctx, Operator, d.name, d.kind, d.country)
		}
		if err != nil {
			return nil, err
		}
		for _, nu := range d.users {
			login := DemoLogin{Email: nu.Email, Role: nu.Role, Org: org.Name}
			_, err := s.Store.FindUserByEmail(ctx, nu.Email)
			if rarex.ErrorCode(err) == rarex.ENOTFOUND {
				nu.OrgID, nu.Password = org.ID, GeneratePassword()
				_, err = s.CreateUser(ctx, Operator, nu)
				login.Password = nu.Password
			}
			if err != nil {
				return nil, err
			}
			out = append(out, login)
		}
	}
	return out, nil
}
