import { XMLBuilder } from 'fast-xml-parser';
import { newSalesforceId } from '../ids.js';
import type { SchemaRegistry } from '../store/schema-registry.js';
import { findField } from '../store/schema-registry.js';
import {
  type LayoutBody,
  REQUIRED_LAYOUT_FIELDS,
  STANDARD_RELATED_LISTS,
  seededLayouts,
} from './seeded-layouts.js';
import type { SaveResult } from './soap-envelope.js';

interface StoredLayout {
  id: string;
  fullName: string;
  object: string;
  body: LayoutBody;
  /** A layout setup may not change (the sandbox's stand-in for one the org will not let it edit). */
  locked: boolean;
}

const builder = new XMLBuilder({ ignoreAttributes: true, suppressEmptyNode: false });

const asList = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const textAt = (value: unknown, key: string): string =>
  value !== null && typeof value === 'object' ? String((value as Record<string, unknown>)[key] ?? '') : '';

/**
 * Page layouts behind listMetadata, readMetadata and updateMetadata. An update replaces the layout
 * whole, as the Metadata API does, so a client that sends back less than it read loses the rest; the
 * sandbox refuses an update that would drop a field the page needs, and related lists it does not
 * know (a custom one is `ChildObject.LookupField`, the lookup pointing at the layout's object). The
 * wording of those two refusals is unverified.
 */
export class LayoutStore {
  private layouts = new Map<string, StoredLayout>();

  constructor(private readonly lockedNames: readonly string[]) {
    this.reset();
  }

  reset(): void {
    this.layouts = new Map(
      seededLayouts().map(({ fullName, body }) => [
        fullName,
        {
          id: newSalesforceId('00h'),
          fullName,
          object: fullName.split('-')[0] ?? '',
          body,
          locked: this.lockedNames.includes(fullName),
        },
      ]),
    );
  }

  /** listMetadata's FileProperties, one result per layout. */
  listXml(): string {
    return [...this.layouts.values()]
      .map(
        (l) =>
          `<result>${builder.build({ fileName: `layouts/${l.fullName}.layout`, fullName: l.fullName, id: l.id, manageableState: 'unmanaged', type: 'Layout' })}</result>`,
      )
      .join('');
  }

  /** readMetadata's records; names it does not know are left out. */
  readXml(names: readonly string[]): string {
    const records = names.flatMap((name) => {
      const layout = this.layouts.get(name);
      return layout
        ? [
            `<records xsi:type="Layout">${builder.build({ fullName: layout.fullName, ...layout.body })}</records>`,
          ]
        : [];
    });
    return `<result>${records.join('')}</result>`;
  }

  /** The layouts as the inspection route shows them. */
  inspect(): { fullName: string; locked: boolean; relatedLists: string[]; body: LayoutBody }[] {
    return [...this.layouts.values()].map((l) => ({
      fullName: l.fullName,
      locked: l.locked,
      relatedLists: asList(l.body.relatedLists).map((r) => textAt(r, 'relatedList')),
      body: l.body,
    }));
  }

  update(schema: SchemaRegistry, component: Record<string, unknown>): SaveResult {
    const fullName = typeof component.fullName === 'string' ? component.fullName : '';
    const fail = (statusCode: string, message: string): SaveResult => ({
      fullName,
      success: false,
      error: { statusCode, message },
    });
    const layout = this.layouts.get(fullName);
    if (!layout)
      return fail('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no Layout named ${fullName} found`);
    if (layout.locked) return fail('INSUFFICIENT_ACCESS', 'insufficient access rights on object id');
    const { fullName: _name, '@_type': _type, ...body } = component;
    const onLayout = asList(body.layoutSections)
      .flatMap((s) => asList((s as Record<string, unknown>).layoutColumns))
      .flatMap((c) => asList((c as Record<string, unknown>).layoutItems))
      .map((i) => textAt(i, 'field'));
    const missing = (REQUIRED_LAYOUT_FIELDS[layout.object] ?? []).filter((f) => !onLayout.includes(f));
    if (missing.length > 0) {
      return fail(
        'FIELD_INTEGRITY_EXCEPTION',
        `Layout must contain an item for required field(s): ${missing.join(', ')}`,
      );
    }
    for (const relatedList of asList(body.relatedLists).map((r) => textAt(r, 'relatedList'))) {
      if (!this.knownRelatedList(schema, layout.object, relatedList)) {
        return fail('FIELD_INTEGRITY_EXCEPTION', `Invalid related list: ${relatedList}`);
      }
    }
    layout.body = body;
    return { fullName, success: true };
  }

  private knownRelatedList(schema: SchemaRegistry, object: string, name: string): boolean {
    if ((STANDARD_RELATED_LISTS[object] ?? []).includes(name)) return true;
    const [child = '', lookup = '', extra] = name.split('.');
    const def = schema.find(child);
    const field = def && extra === undefined ? findField(def, lookup) : undefined;
    return field?.type === 'reference' && (field.referenceTo ?? []).includes(object) && field.name === lookup;
  }
}
