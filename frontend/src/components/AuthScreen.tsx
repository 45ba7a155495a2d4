import { useState, type FormEvent } from "react";

import { signIn, signUp } from "../api/client.gen";
import type { CurrentUser } from "../api/types.gen";
import { navigate } from "../lib/route";
import { ErrorBanner, Field, useAction } from "./common";

/** Sign in, or create an account and sign in with it. */
export function AuthScreen({ mode, onSignedIn }: { mode: "sign-in" | "sign-up"; onSignedIn: (current: CurrentUser) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, problem, run } = useAction();
  const signingUp = mode === "sign-up";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const current = await run(async () => {
      if (signingUp) await signUp({ email, password });
      return signIn({ email, password });
    });
    if (current) onSignedIn(current);
  };

  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1 className="brand">Missions</h1>
        <h2>{signingUp ? "Create an account" : "Sign in"}</h2>
        <ErrorBanner problem={problem} shownFields={["email", "password"]} />
        <Field label="E-mail" problem={problem} path="email" formMessage="Enter an e-mail address, like name@example.com.">
          <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </Field>
        <Field label="Password" problem={problem} path="password" hint={signingUp ? "At least 8 characters." : undefined}>
          <input
            name="password"
            type="password"
            autoComplete={signingUp ? "new-password" : "current-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Please wait…" : signingUp ? "Create account" : "Sign in"}
        </button>
        <p className="muted auth-switch">
          {signingUp ? "Already have an account? " : "New here? "}
          <a
            href={signingUp ? "/sign-in" : "/sign-up"}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: signingUp ? "sign-in" : "sign-up" });
            }}
          >
            {signingUp ? "Sign in" : "Create an account"}
          </a>
        </p>
      </form>
    </main>
  );
}
