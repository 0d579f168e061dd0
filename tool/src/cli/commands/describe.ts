import { describe } from "../../api/index.ts";
import { type Command, projectDir } from "../command.ts";

export const describeCommand: Command = {
  spec: {
    name: "describe",
    usage: "describe [-t TARGET] [--dot]",
    summary: "Prints the unikernel's device graph, as text or as Graphviz dot.",
    positionals: [0, 0],
    options: {
      target: {
        type: "string",
        short: "t",
        value: "TARGET",
        help: "also show what each device becomes on TARGET",
      },
      dot: { type: "boolean", help: "print Graphviz dot (render with `dot -Tsvg`)" },
    },
    examples: ["morgana describe", "morgana describe -t unix --dot | dot -Tsvg > graph.svg"],
  },
  async run(args, out) {
    const target = args.values.target === undefined ? undefined : String(args.values.target);
    const result = describe({
      projectDir: projectDir(args),
      ...(target === undefined ? {} : { target }),
    });
    if (result.ok && !out.json)
      process.stdout.write((args.values.dot ? result.dot : result.text) ?? "");
    const { text: _text, ...fields } = result;
    return out.finish(result, fields);
  },
};
