import { type FormEvent, useState } from "react";
import { Link } from "wouter";

import { routes } from "../app/routes";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { problemOf } from "../ui/problem";
import { useSignIn } from "./hooks";

/** Sign in, or create an account and sign in with it. */
export function AuthScreen({ mode, onSignedIn }: { mode: "sign-in" | "sign-up"; onSignedIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useSignIn(onSignedIn);
  const busy = signIn.isPending;
  const problem = problemOf(signIn.error);
  const signingUp = mode === "sign-up";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password, createAccount: signingUp });
  };

  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1 className="brand">Missions</h1>
        <h2>{signingUp ? "Create an account" : "Sign in"}</h2>
        <ErrorBanner problem={problem} shownFields={["email", "password"]} />
        <Field
          label="E-mail"
          problem={problem}
          path="email"
          formMessage="Enter an e-mail address, like name@example.com."
        >
          <input
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            // biome-ignore lint/a11y/noAutofocus: signing in is all this screen is for
            autoFocus
          />
        </Field>
        <Field
          label="Password"
          problem={problem}
          path="password"
          hint={signingUp ? "At least 8 characters." : undefined}
        >
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
          <Link href={signingUp ? routes.signIn : routes.signUp}>{signingUp ? "Sign in" : "Create an account"}</Link>
        </p>
      </form>
    </main>
  );
}
