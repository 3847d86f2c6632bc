// The frame of every signed-in page: skip link, header (service name, who is signed in, sign
// out), navigation by role, and the main area.
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router";

import { hasRole, useSession, useSignOut, type Role, type Session } from "../api/session";
import { SERVICE_NAME } from "../components/Page";

type NavItem = { to: string; text: string; roles?: Role[]; end?: boolean };

export const NAV: NavItem[] = [
  { to: "/", text: "My work", end: true },
  { to: "/case-reviews", text: "Case reviews", roles: ["business_unit", "crg_member", "crg_chair", "independent_chair"] },
  { to: "/child-deaths", text: "Child deaths", roles: ["cdop_coordinator", "cdop_chair"] },
  { to: "/meetings", text: "Meetings", roles: ["business_unit", "crg_member", "crg_chair", "independent_chair", "cdop_coordinator", "cdop_chair", "cdop_panel_member"] },
  { to: "/my-forms", text: "My forms", roles: ["agency_author"] },
  { to: "/reports", text: "Reports", roles: ["business_unit", "crg_chair", "independent_chair", "cdop_coordinator", "cdop_chair"] },
  { to: "/admin/users", text: "Users", roles: ["admin"] },
  { to: "/admin/audit", text: "Audit log", roles: ["admin"] },
];

export function navFor(session: Session | null | undefined): NavItem[] {
  return NAV.filter((item) => !item.roles || hasRole(session, ...item.roles));
}

export function SkipLink() {
  return (
    <a href="#main-content" className="govuk-skip-link"
      onClick={(e) => { e.preventDefault(); document.getElementById("main-content")?.focus(); }}>
      Skip to main content
    </a>
  );
}

export function Header({ session }: { session?: Session | null }) {
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <header className="moj-header" role="banner">
      <div className="moj-header__container">
        <div className="moj-header__logo">
          <Link className="moj-header__link moj-header__link--service-name" to="/">{SERVICE_NAME}</Link>
        </div>
        {session ? (
          <div className="moj-header__content">
            <nav className="moj-header__navigation" aria-label="Account">
              <ul className="moj-header__navigation-list">
                <li className="moj-header__navigation-item">
                  <span className="app-header-user" data-testid="signed-in-as">{session.user.name}</span>
                </li>
                <li className="moj-header__navigation-item">
                  <a className="moj-header__navigation-link" href="/app/sign-in"
                    onClick={async (e) => { e.preventDefault(); await signOut(); navigate("/sign-in?signed_out=1"); }}>
                    Sign out
                  </a>
                </li>
              </ul>
            </nav>
          </div>
        ) : null}
      </div>
    </header>
  );
}

export function Layout() {
  const { data: session } = useSession();
  const location = useLocation();
  return (
    <>
      <SkipLink />
      <Header session={session} />
      <div className="moj-primary-navigation">
        <div className="moj-primary-navigation__container">
          <div className="moj-primary-navigation__nav">
            <nav className="moj-primary-navigation" aria-label="Main">
              <ul className="moj-primary-navigation__list">
                {navFor(session).map((item) => (
                  <li className="moj-primary-navigation__item" key={item.to}>
                    <NavLink className="moj-primary-navigation__link" to={item.to} end={item.end}>{item.text}</NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </div>
      </div>
      <div className="govuk-width-container">
        <main className="govuk-main-wrapper" id="main-content" tabIndex={-1} key={location.pathname}>
          <Outlet />
        </main>
      </div>
      <Footer />
    </>
  );
}

export function Footer() {
  return (
    <footer className="govuk-footer" role="contentinfo">
      <div className="govuk-width-container">
        <div className="govuk-footer__meta">
          <div className="govuk-footer__meta-item govuk-footer__meta-item--grow">
            <p className="govuk-body-s">Every access to a case is recorded. Do not share what you read here.</p>
          </div>
        </div>
      </div>
    </footer>
  );
}
