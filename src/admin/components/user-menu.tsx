import React from 'react';
import type { CurrentAdmin } from 'adminjs';
import { Box, CurrentUserNav, type CurrentUserNavProps } from '@adminjs/design-system';
import { useNotice, useTranslation } from 'adminjs';

/** The languages of the back office, each named in itself (src/admin/locale ADMIN_LANGUAGES). */
const LANGUAGES: Array<{ code: string; name: string }> = [
  { code: 'zh-CN', name: '简体中文' },
  { code: 'en', name: 'English' },
];

/** Where the switch saves the signed-in user's language (admin-locale.controller.ts). */
const LOCALE_URL = '/admin/account/locale';

/**
 * AdminJS's user menu (its `LoggedIn`, overridden) with the language switch of issue 14: picking a language saves it as
 * the user's locale and reloads the page in it, so it stays chosen on every device and in every later session.
 */
const UserMenu: React.FC<{ session: CurrentAdmin; paths: { logoutPath: string } }> = ({ session, paths }) => {
  const { translateButton, i18n } = useTranslation();
  const addNotice = useNotice();
  const switchTo = async (code: string) => {
    try {
      const response = await fetch(LOCALE_URL, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ locale: code }) });
      if (!response.ok) throw new Error(String(response.status));
      window.location.reload();
    } catch {
      addNotice({ message: i18n.t('ui.languageSaveFailed'), type: 'error' });
    }
  };
  const dropActions: CurrentUserNavProps['dropActions'] = [
    ...LANGUAGES.filter(({ code }) => code !== i18n.language).map(({ code, name }) => ({
      label: i18n.t('ui.switchLanguage', { language: name }),
      icon: 'Globe',
      onClick: (event: Event) => {
        event.preventDefault();
        void switchTo(code);
      },
    })),
    {
      label: translateButton('logout'),
      icon: 'LogOut',
      onClick: (event: Event) => {
        event.preventDefault();
        window.location.href = paths.logoutPath;
      },
    },
  ];
  return (
    <Box flexShrink={0} data-css="logged-in" data-testid="user-menu" data-language={i18n.language}>
      <CurrentUserNav name={session.email} title={session.title} avatarUrl={session.avatarUrl} dropActions={dropActions} />
    </Box>
  );
};

export default UserMenu;
