/** A Layout as the Metadata API reads it, values as XML text, repeated elements as arrays. */
export type LayoutBody = Record<string, unknown>;

const item = (behavior: string, field: string) => ({ behavior, field });
const list = (relatedList: string, fields: string[]) => ({ fields, relatedList });

/**
 * The page layouts a new org has for Contact and Lead, trimmed to what wasync touches: sections with
 * the fields a user sees, and the standard related lists. Their shape follows the Layout type of the
 * Metadata API Developer Guide (layoutSections → layoutColumns → layoutItems; relatedLists).
 */
export function seededLayouts(): { fullName: string; body: LayoutBody }[] {
  return [
    {
      fullName: 'Contact-Contact Layout',
      body: {
        layoutSections: [
          {
            customLabel: 'false',
            detailHeading: 'false',
            editHeading: 'true',
            label: 'Contact Information',
            layoutColumns: [
              { layoutItems: [item('Required', 'Name'), item('Edit', 'AccountId'), item('Edit', 'Title')] },
              {
                layoutItems: [
                  item('Edit', 'Phone'),
                  item('Edit', 'MobilePhone'),
                  item('Edit', 'Email'),
                  item('Edit', 'OwnerId'),
                ],
              },
            ],
            style: 'TwoColumnsTopToBottom',
          },
        ],
        relatedLists: [
          list('RelatedOpportunityList', [
            'OPPORTUNITY.NAME',
            'OPPORTUNITY.STAGE_NAME',
            'OPPORTUNITY.AMOUNT',
          ]),
          list('RelatedActivityList', ['TASK.SUBJECT', 'TASK.DUE_DATE']),
          list('RelatedHistoryList', ['TASK.SUBJECT', 'TASK.DUE_DATE']),
          list('RelatedNoteList', []),
          list('RelatedFileList', []),
        ],
        showEmailCheckbox: 'false',
        showHighlightsPanel: 'false',
        showInteractionLogPanel: 'false',
        showRunAssignmentRulesCheckbox: 'false',
        showSubmitAndAttachButton: 'false',
      },
    },
    {
      fullName: 'Lead-Lead Layout',
      body: {
        layoutSections: [
          {
            customLabel: 'false',
            detailHeading: 'false',
            editHeading: 'true',
            label: 'Lead Information',
            layoutColumns: [
              { layoutItems: [item('Required', 'Name'), item('Required', 'Company'), item('Edit', 'Email')] },
              {
                layoutItems: [
                  item('Required', 'Status'),
                  item('Edit', 'Phone'),
                  item('Edit', 'MobilePhone'),
                  item('Edit', 'LeadSource'),
                ],
              },
            ],
            style: 'TwoColumnsTopToBottom',
          },
        ],
        relatedLists: [
          list('RelatedActivityList', ['TASK.SUBJECT', 'TASK.DUE_DATE']),
          list('RelatedHistoryList', ['TASK.SUBJECT', 'TASK.DUE_DATE']),
          list('RelatedFileList', []),
        ],
        showEmailCheckbox: 'false',
        showHighlightsPanel: 'false',
        showInteractionLogPanel: 'false',
        showRunAssignmentRulesCheckbox: 'true',
        showSubmitAndAttachButton: 'false',
      },
    },
  ];
}

/** Standard related lists a Contact or Lead layout may carry (the sandbox's subset). */
export const STANDARD_RELATED_LISTS: Record<string, readonly string[]> = {
  Contact: [
    'RelatedOpportunityList',
    'RelatedActivityList',
    'RelatedHistoryList',
    'RelatedNoteList',
    'RelatedFileList',
    'RelatedContactRoleList',
    'RelatedCaseList',
  ],
  Lead: [
    'RelatedActivityList',
    'RelatedHistoryList',
    'RelatedNoteList',
    'RelatedFileList',
    'RelatedCampaignMemberList',
  ],
};

/** Fields that must stay on a layout: without them no one could create the record from the page. */
export const REQUIRED_LAYOUT_FIELDS: Record<string, readonly string[]> = {
  Contact: ['Name'],
  Lead: ['Name', 'Company'],
};
