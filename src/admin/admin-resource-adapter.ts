import type { BaseRecord, Filter } from 'adminjs';
import { ArrayContains, type BaseEntity } from 'typeorm';
import { filterProblem } from './admin-filters';
import type { AdminJsModule, AdminTypeormModule } from './admin-runtime';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BIGINT = /^\d{1,18}$/;

type ParamsType = Record<string, unknown>;
type Sort = { sortBy?: string; direction?: string } | undefined;

/**
 * @adminjs/typeorm's resource, made safe for people typing into query strings:
 * - filters only on the properties the resource offers as filters (never `passwordHash`), and a choice
 *   list (availableValues) filters by equality ("shipped" must not also match "partially_shipped"), an array column
 *   (a user's roles) by containing the value; a filter value that cannot be one of its column (a date, an id, a
 *   number) and a page that is not a whole number are the list's error notice, not a database error;
 * - a malformed record id is "not found", not a database error;
 * - columns TypeORM never selects (`select: false`: password hashes, engine state) are never handed back;
 * - a database constraint error becomes the form's error message, and any other failure is not swallowed.
 */
export function createResourceAdapter({ Resource }: AdminTypeormModule, { ValidationError }: AdminJsModule) {
  return class OmsTypeormResource extends Resource {
    override async find(filter: Filter, params: { limit?: number; offset?: number; sort?: Sort }): Promise<BaseRecord[]> {
      const page = [params?.limit, params?.offset].filter((value) => value !== undefined);
      if (!page.every((value) => Number.isSafeInteger(value) && (value as number) >= 0)) {
        throw new ValidationError({}, { message: 'The page and the number per page must be whole numbers of at least 1', type: 'page' });
      }
      return super.find(this.allowedFilter(filter), { ...params, sort: this.allowedSort(params?.sort) });
    }

    override async count(filter: Filter): Promise<number> {
      return super.count(this.allowedFilter(filter));
    }

    override async findOne(id: string | number): Promise<BaseRecord | null> {
      return this.acceptsId(id) ? super.findOne(id) : null;
    }

    override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
      const valid = ids.filter((id) => this.acceptsId(id));
      return valid.length > 0 ? super.findMany(valid) : [];
    }

    override async create(params: ParamsType): Promise<ParamsType> {
      return this.withoutSecrets(await super.create(params));
    }

    override async update(pk: string | number, params: ParamsType = {}): Promise<ParamsType> {
      return this.withoutSecrets(await super.update(pk, params));
    }

    private allowedFilter(filter: Filter): Filter {
      const decorated = this._decorated;
      if (!filter?.filters || !decorated) return filter;
      const offered = new Set(decorated.getProperties({ where: 'filter' }).map((property) => property.name()));
      const title = decorated.titleProperty();
      if (title) offered.add(title.name()); // what the reference pickers search by
      for (const [key, element] of Object.entries(filter.filters)) {
        if (!element.property || !offered.has(key)) {
          delete filter.filters[key];
          continue;
        }
        const problem = filterProblem(element);
        if (problem) throw new ValidationError({ [key]: { message: problem, type: 'filter' } }, { message: `The filter ${key} ${problem}`, type: 'filter' });
        const exact = element as typeof element & { custom?: unknown };
        if (typeof element.value !== 'string') continue;
        if (this.property(key)?.column.isArray) exact.custom = ArrayContains([element.value]);
        else if (decorated.getPropertyByKey(key)?.availableValues()) exact.custom = element.value;
      }
      return filter;
    }

    private allowedSort(sort: Sort): { sortBy: string; direction: 'asc' | 'desc' } {
      const sortBy = sort?.sortBy && this.properties().some((property) => property.path() === sort.sortBy) ? sort.sortBy : this.idName();
      return { sortBy, direction: sort?.direction === 'desc' ? 'desc' : 'asc' };
    }

    /** Whether `id` is well-formed for this resource's key (the checked controllers answer 404 for one that is not). */
    acceptsId(id: unknown): boolean {
      if (typeof id === 'number') return Number.isSafeInteger(id);
      if (typeof id !== 'string' || id === '' || id.includes('\u0000')) return false;
      const type = this.property(this.idName())?.column.type;
      if (type === 'uuid') return UUID.test(id);
      if (type === 'bigint') return BIGINT.test(id);
      return id.length <= 200;
    }

    private withoutSecrets(params: ParamsType): ParamsType {
      const copy: ParamsType = { ...params };
      for (const property of this.properties()) {
        if (property.column.isSelect === false) delete copy[property.path()];
      }
      return copy;
    }

    /**
     * The adapter's own version files a constraint error under the property `undefined` (so AdminJS reports the
     * record as saved) and swallows every other error. Here the error lands on the column it is about.
     */
    override async validateAndSave(instance: BaseEntity): Promise<void> {
      try {
        await instance.save();
      } catch (error) {
        if ((error as Error)?.name !== 'QueryFailedError') throw error;
        const driver: DriverError = (error as { driverError?: DriverError }).driverError ?? (error as DriverError);
        const message = constraintMessage(driver);
        throw new ValidationError({ [this.propertyOf(driver)]: { message, type: driver.code ?? 'constraint' } }, { message, type: 'QueryFailedError' });
      }
    }

    /** PostgreSQL names the column in `column` (not null) or in the detail "Key (sku)=(...) already exists". */
    private propertyOf(driver: DriverError): string {
      const named = driver.column ?? /Key \(([^)]*)\)/.exec(driver.detail ?? '')?.[1] ?? '';
      const columns = this.properties().map((property) => property.column);
      const column =
        columns.find((candidate) => candidate.databaseName === named) ??
        columns.find((candidate) => new RegExp(`\\b${candidate.databaseName}\\b`).test(named));
      return column?.propertyPath ?? this._decorated?.titleProperty()?.name() ?? this.idName();
    }
  };
}

interface DriverError {
  code?: string;
  column?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

function constraintMessage(driver: DriverError): string {
  switch (driver.code) {
    case '23505':
      return 'another record already has this value';
    case '23502':
      return 'is required';
    case '23503':
      return 'refers to a record that does not exist, or is still referred to';
    case '23514':
      return `breaks the rule ${driver.constraint ?? 'of the database'}`;
    default:
      return driver.message ?? 'the database refused the change';
  }
}
