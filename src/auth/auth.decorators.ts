import { SetMetadata } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import type { Permission } from './permissions';

export const PUBLIC_ROUTE = 'oms:public';
export const REQUIRED_PERMISSION = 'oms:permission';
export const ANY_SIGNED_IN = 'oms:any-signed-in';
export const STATIC_TOKEN = 'oms:static-token';

/** No bearer token needed (login, health, public customer links). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The permission a route needs; a token without it gets 403 forbidden. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/**
 * Any valid token, whatever its roles: routes about the caller themselves (who am I, sign out, my password). Every route
 * says one of @Public(), @RequirePermission() or this; the route × role test fails on a route that says none.
 */
export const AnySignedIn = () => SetMetadata(ANY_SIGNED_IN, true);

/** Settings that hold a static bearer token for one route (compared in constant time); a route names the one it accepts. */
export type StaticTokenSetting = keyof Pick<AppConfig, 'METRICS_TOKEN'>;

/**
 * Besides a token holding the route's permission, the static bearer token in this setting when it is set: for a machine
 * configured outside the product (a Prometheus scraper), which then needs no account. Pairs with @RequirePermission.
 */
export const OrStaticToken = (setting: StaticTokenSetting) => SetMetadata(STATIC_TOKEN, setting);
