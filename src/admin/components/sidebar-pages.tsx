import React from 'react';
import { type CurrentAdmin, useCurrentAdmin, useTranslation, ViewHelpers } from 'adminjs';
import { Navigation } from '@adminjs/design-system';
import { useLocation, useNavigate } from 'react-router';
import { PAGE_PERMISSIONS } from '../ui-contract';

const h = new ViewHelpers();

/** `*` (the admin role) allows everything, as on the server (admin-access.ts `can`). */
const holds = (admin: CurrentAdmin | null, permission: string) => {
  const permissions: unknown[] = Array.isArray(admin?.permissions) ? admin.permissions : [];
  return permissions.includes('*') || permissions.includes(permission);
};

/**
 * AdminJS's "Pages" menu (its `SidebarPages`, overridden and otherwise the same) without the pages the signed-in user's
 * role may not open (PAGE_PERMISSIONS): AdminJS lists every page to everyone. The session's permissions are read again
 * on each request, so a role an admin changed shows from the holder's next page load; the pages' handlers check too.
 */
const SidebarPages: React.FC<{ pages?: Array<{ name: string; icon?: string }> }> = ({ pages }) => {
  const [admin] = useCurrentAdmin();
  const { translateLabel, translatePage } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const allowed = (pages ?? []).filter((page) => !PAGE_PERMISSIONS[page.name] || holds(admin, PAGE_PERMISSIONS[page.name]));
  if (allowed.length === 0) return null;
  const elements = allowed.map((page) => ({
    id: page.name,
    label: translatePage(page.name),
    isSelected: location.pathname.includes(`/pages/${page.name}`),
    icon: page.icon,
    href: h.pageUrl(page.name),
    onClick: (event: React.MouseEvent, element: { href?: string }) => {
      event.preventDefault();
      if (element.href) navigate(element.href);
    },
  }));
  return <Navigation label={translateLabel('pages')} elements={elements} data-testid="sidebar-pages" />;
};

export default SidebarPages;
