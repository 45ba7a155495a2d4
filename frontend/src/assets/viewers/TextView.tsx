/** Text as written: its line breaks and spacing kept, long lines wrapped. */
export function TextView({ text }: { text: string }) {
  return <div className="text-view">{text}</div>;
}
