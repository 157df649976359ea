/** The part of saxen (the SAX tokenizer under moddle-xml) the diagram size check uses. */
declare module 'saxen' {
  type Context = () => { line: number; column: number; data: string };
  export class Parser {
    on(event: 'openTag', handler: (name: string, attributes: () => Record<string, string>, decode: (text: string) => string, selfClosing: boolean, context: Context) => void): this;
    on(event: 'closeTag', handler: (name: string, decode: (text: string) => string, selfClosing: boolean, context: Context) => void): this;
    on(event: 'error', handler: (error: Error, context: Context) => void): this;
    parse(xml: string): Error | null;
    stop(): void;
  }
}
