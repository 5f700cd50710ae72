import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../../../web/src/styles.css';
import '../extension.css';
import { Options } from './Options';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <Options />
  </StrictMode>,
);
