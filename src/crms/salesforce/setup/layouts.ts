import { CrmError } from '../../types.js';
import type { SalesforceTransport } from '../transport.js';
import {
  buildOrdered,
  childrenOf,
  dig,
  escapeXml,
  findAll,
  metadataCall,
  type OrderedNode,
  parseOrdered,
  results,
  saveResults,
  tagOf,
  textOf,
} from './metadata-soap.js';
import type { SetupReport } from './report.js';

/**
 * The related list of WhatsApp_Chat__c on each object's page: named `ChildObject.LookupField`, as
 * in Layout metadata (Metadata API Developer Guide, Layout: RelatedListItem.relatedList).
 */
const RELATED_LIST: Record<'Contact' | 'Lead', string> = {
  Contact: 'WhatsApp_Chat__c.Contact__c',
  Lead: 'WhatsApp_Chat__c.Lead__c',
};

/** readMetadata and updateMetadata take at most 10 components per call. */
const PER_CALL = 10;

/**
 * Elements that follow relatedLists in a Layout (its XSD sequence): a new related list goes before the
 * first of them when the layout has no related list yet.
 */
const AFTER_RELATED_LISTS = new Set([
  'relatedObjects',
  'runAssignmentRulesDefault',
  'showEmailCheckbox',
  'showHighlightsPanel',
  'showInteractionLogPanel',
  'showKnowledgeComponent',
  'showRunAssignmentRulesCheckbox',
  'showSolutionSection',
  'showSubmitAndAttachButton',
  'summaryLayout',
]);

/**
 * Adds the WhatsApp Chats related list to every Contact and Lead page layout: reads each layout,
 * appends the list where it is missing, and writes the whole layout back (updateMetadata replaces a
 * component whole). A layout the org will not let setup change becomes a manual step in the report.
 */
export async function addChatRelatedLists(
  transport: SalesforceTransport,
  report: SetupReport,
): Promise<void> {
  let names: string[];
  try {
    names = await layoutNames(transport);
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    for (const object of Object.keys(RELATED_LIST))
      report.manualSteps.push(manualStep(object, 'every', error.message));
    return;
  }
  for (let start = 0; start < names.length; start += PER_CALL) {
    const layouts = await readLayouts(transport, names.slice(start, start + PER_CALL));
    const changed: { name: string; nodes: OrderedNode[] }[] = [];
    for (const layout of layouts) {
      const object = objectOf(layout.name);
      if (!object) continue;
      const label = `Layout ${layout.name}: WhatsApp Chats related list`;
      if (hasRelatedList(layout.nodes, RELATED_LIST[object])) report.existing.push(label);
      else changed.push({ name: layout.name, nodes: withRelatedList(layout.nodes, RELATED_LIST[object]) });
    }
    if (changed.length === 0) continue;
    const saved = saveResults(
      await metadataCall(
        transport,
        `<updateMetadata>${changed.map((l) => `<metadata xsi:type="Layout">${buildOrdered(l.nodes)}</metadata>`).join('')}</updateMetadata>`,
      ),
    );
    changed.forEach((layout, i) => {
      const result = saved[i];
      if (result?.success) report.created.push(`Layout ${layout.name}: WhatsApp Chats related list`);
      else
        report.manualSteps.push(manualStep(objectOf(layout.name) ?? 'Contact', layout.name, result?.message));
    });
  }
}

function objectOf(layoutName: string): 'Contact' | 'Lead' | undefined {
  const object = layoutName.split('-')[0];
  return object === 'Contact' || object === 'Lead' ? object : undefined;
}

function manualStep(object: string, layout: string, reason: string | undefined): string {
  const which = layout === 'every' ? `every ${object} page layout` : `the ${object} page layout "${layout}"`;
  return `Add the "WhatsApp Chats" related list to ${which} (Setup → Object Manager → ${object} → Page Layouts → Related Lists)${reason ? `: setup could not (${reason})` : ''}.`;
}

async function layoutNames(transport: SalesforceTransport): Promise<string[]> {
  const response = await metadataCall(
    transport,
    `<listMetadata><queries><type>Layout</type></queries><asOfVersion>${escapeXml(transport.apiVersion)}</asOfVersion></listMetadata>`,
  );
  return results(response)
    .map((result) => String(dig(result, ['fullName']) ?? ''))
    .filter((name) => objectOf(name) !== undefined)
    .sort();
}

async function readLayouts(
  transport: SalesforceTransport,
  names: readonly string[],
): Promise<{ name: string; nodes: OrderedNode[] }[]> {
  const operation = `<readMetadata><type>Layout</type>${names.map((n) => `<fullNames>${escapeXml(n)}</fullNames>`).join('')}</readMetadata>`;
  const answer = await transport.metadata(operation);
  return findAll(parseOrdered(answer), 'records').flatMap((record) => {
    const nodes = childrenOf(record);
    const name = textOf(nodes.find((n) => tagOf(n) === 'fullName'));
    // readMetadata answers an empty record for a name it does not know.
    return name ? [{ name, nodes }] : [];
  });
}

function hasRelatedList(nodes: OrderedNode[], relatedList: string): boolean {
  return nodes
    .filter((n) => tagOf(n) === 'relatedLists')
    .some((n) => textOf(childrenOf(n).find((c) => tagOf(c) === 'relatedList')) === relatedList);
}

function withRelatedList(nodes: OrderedNode[], relatedList: string): OrderedNode[] {
  const element = (tag: string, value: string): OrderedNode => ({ [tag]: [{ '#text': value }] });
  const item: OrderedNode = {
    relatedLists: [
      element('fields', 'NAME'),
      element('fields', 'Last_Message_At__c'),
      element('fields', 'Message_Count__c'),
      element('fields', 'Chat_Type__c'),
      element('relatedList', relatedList),
      element('sortField', 'Last_Message_At__c'),
      element('sortOrder', 'Desc'),
    ],
  };
  const lastList = nodes.map(tagOf).lastIndexOf('relatedLists');
  const before = nodes.findIndex((n) => AFTER_RELATED_LISTS.has(tagOf(n) ?? ''));
  const at = lastList >= 0 ? lastList + 1 : before >= 0 ? before : nodes.length;
  return [...nodes.slice(0, at), item, ...nodes.slice(at)];
}
