/**
 * The fields both Salesforce forms ask for, the connection form and the OAuth start form: the
 * connection's name and where the org signs in. Each form adds what it asks differently.
 */
import { connectionNameField } from '../kit/form-fields.js';
import type { CrmFormField } from '../registry.js';

export const NAME_FIELD: CrmFormField = connectionNameField('Salesforce');

/** The login URL, typed in; the OAuth start form offers it as a select whose last choice is typed. */
export const LOGIN_URL_FIELD: CrmFormField = {
  name: 'loginUrl',
  label: 'Login URL',
  type: 'url',
  required: true,
  secret: false,
  placeholder: 'https://MyDomainName.my.salesforce.com',
};
