import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions';

export const PUBLIC_ROUTE = 'oms:public';
export const REQUIRED_PERMISSION = 'oms:permission';
export const ANY_SIGNED_IN = 'oms:any-signed-in';

/** No bearer token needed (login, health, public customer links). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The permission a route needs; a token without it gets 403 forbidden. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);

/**
 * Any valid token, whatever its roles: routes about the caller themselves (who am I, sign out, my password). Every route
 * says one of @Public(), @RequirePermission() or this; the route × role test fails on a route that says none.
 */
export const AnySignedIn = () => SetMetadata(ANY_SIGNED_IN, true);
