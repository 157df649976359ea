import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions';

export const PUBLIC_ROUTE = 'oms:public';
export const REQUIRED_PERMISSION = 'oms:permission';

/** No bearer token needed (login, health, public customer links). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The permission a route needs; a token without it gets 403 forbidden. */
export const RequirePermission = (permission: Permission) => SetMetadata(REQUIRED_PERMISSION, permission);
