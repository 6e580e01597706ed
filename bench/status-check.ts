/**
 * Every timed answer's status. A benchmark that times error pages measures nothing: the seeded
 * documents once had one-byte hashes, every "download" was a 500 and the figures looked fine.
 * A pass counts what was not 2xx and fails once it is over, naming the first such answer.
 */
export class StatusCheck {
  private failed = 0;
  private first: string | null = null;
  private answers = 0;

  constructor(private readonly what: string) {}

  /** The answer's body; a non-2xx one is counted, and the first kept for the message. */
  async read(response: Response, url: string, method = 'GET'): Promise<Buffer> {
    const body = Buffer.from(await response.arrayBuffer());
    this.answers += 1;
    if (response.status < 200 || response.status > 299) {
      this.failed += 1;
      this.first ??= `${response.status} for ${method} ${url}: ${body.toString('utf8').slice(0, 300)}`;
    }
    return body;
  }

  /** What went wrong, or null if every answer so far was 2xx. */
  problem(): string | null {
    if (this.failed === 0) return null;
    return `${this.what}: ${this.failed} of ${this.answers} answers were not 2xx; the first was ${this.first}`;
  }

  get failures(): number {
    return this.failed;
  }

  /** Throws unless every answer so far was 2xx. */
  assertAllOk(): void {
    const problem = this.problem();
    if (problem) throw new Error(problem);
  }
}
