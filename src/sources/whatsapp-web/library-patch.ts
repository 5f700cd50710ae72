/**
 * The WhatsApp library must run patched (`patches/`, Baileys#2553: unpatched, it shows the device's
 * owner online). The patch drops the presence the library sent when the account's name changed, so
 * the session itself says `unavailable` when the name arrives after the socket opened (session.ts). The postinstall applies the patch; an install that ran no scripts (`--ignore-scripts`,
 * or scripts not allowed for wasync) did not. So before the library is first loaded, the same script
 * applies what is missing, and a library it cannot patch (a read-only install, another version) is not
 * started: the linked device reports why and retries later.
 */
interface PatchScript {
  applyAll(): { patch: string; file: string; state: string }[];
}

let checked: Promise<void> | undefined;

/** Resolves once the installed library carries every patch; rejects with the reason when it cannot. */
export function ensureLibraryPatched(): Promise<void> {
  checked ??= (async () => {
    // From src/sources/whatsapp-web/ in a checkout and dist/sources/whatsapp-web/ when installed.
    const script = new URL('../../../scripts/apply-patches.js', import.meta.url);
    const { applyAll } = (await import(script.href)) as PatchScript;
    try {
      applyAll();
    } catch (error) {
      throw new Error(
        `The WhatsApp library is not patched (${(error as Error).message}); run \`node scripts/apply-patches.js\` in wasync's folder with write access.`,
      );
    }
  })();
  checked.catch(() => {
    checked = undefined;
  });
  return checked;
}
