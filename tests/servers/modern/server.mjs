// An MCP server of protocol revision 2026-07-28 on the official TypeScript SDK v2, over stdio (serveStdio answers
// server/discover and per-request _meta itself, and serves older clients' initialize too). It implements what the
// conformance suite's 2026-07-28 server scenarios call; SMCP's tests run it in a sandbox behind the proxy.
import { McpServer, ResourceTemplate, completable, inputRequired } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQIAAAAAAA==';
const none = z.object({});
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const text = t => ({ content: [{ type: 'text', text: t }] });
const ask = (message, property, type = 'string') =>
    inputRequired.elicit({ message, requestedSchema: { type: 'object', properties: { [property]: { type } }, required: [property] } });
// A response counts when it is an object that accepted; anything else asks again.
const accepted = (responses, key) => {
    const response = responses?.[key];
    return response !== null && typeof response === 'object' && !Array.isArray(response) ? response : undefined;
};

function build() {
    const server = new McpServer({ name: 'smcp-modern-test', version: '1.0.0' },
        { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: {}, completions: {} } });

    server.registerTool('echo', { description: 'Echoes the message back.', inputSchema: z.object({ message: z.string() }) },
        async ({ message }) => text(`Echo: ${message}`));
    server.registerTool('test_simple_text', { description: 'Simple text.' }, async () => text('This is a simple text response for testing.'));
    server.registerTool('test_image_content', { description: 'An image.' }, async () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }));
    server.registerTool('test_audio_content', { description: 'Audio.' }, async () => ({ content: [{ type: 'audio', data: WAV, mimeType: 'audio/wav' }] }));
    server.registerTool('test_embedded_resource', { description: 'An embedded resource.' }, async () => ({
        content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
    }));
    server.registerTool('test_multiple_content_types', { description: 'Mixed content.' }, async () => ({
        content: [
            { type: 'text', text: 'Multiple content types test:' },
            { type: 'image', data: PNG, mimeType: 'image/png' },
            { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } },
        ],
    }));
    server.registerTool('test_error_handling', { description: 'Always an error result.' }, async () => ({
        isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
    }));
    server.registerTool('test_tool_with_progress', { description: 'Reports progress.', inputSchema: none }, async (_args, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        for (const progress of [0, 50, 100]) {
            if (token !== undefined) {
                await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress, total: 100 } });
            }
            if (progress < 100) await sleep(50);
        }
        return text('Progress test completed');
    });
    server.registerTool('test_logging_tool', { description: 'Logs only when the request asked for a log level.' }, async () => text('logged nothing unasked'));
    // Asks for sampling: the SDK refuses with -32021 when the request's _meta did not declare that capability.
    server.registerTool('test_missing_capability', { description: 'Needs the sampling capability.', inputSchema: none }, async (_args, ctx) =>
        accepted(ctx.mcpReq.inputResponses, 'answer') ? text('sampled') : inputRequired({ inputRequests: {
            answer: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }], maxTokens: 10 }) } }));
    server.registerTool('test_streaming_elicitation', { description: 'Asks for input through the result.', inputSchema: none }, async (_args, ctx) =>
        accepted(ctx.mcpReq.inputResponses, 'name') ? text('thanks') : inputRequired({ inputRequests: { name: ask('What is your name?', 'name') } }));
    let extraTool, extraPrompt;
    server.registerTool('test_trigger_tool_change', { description: 'Adds or removes a tool.' }, async () => {
        if (extraTool) { extraTool.remove(); extraTool = undefined; } else { extraTool = server.registerTool('test_extra_tool', { description: 'Extra.' }, async () => text('extra')); }
        return text('tools changed');
    });
    server.registerTool('test_trigger_prompt_change', { description: 'Adds or removes a prompt.' }, async () => {
        if (extraPrompt) { extraPrompt.remove(); extraPrompt = undefined; } else {
            extraPrompt = server.registerPrompt('test_extra_prompt', { description: 'Extra.' }, async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'extra' } }] }));
        }
        return text('prompts changed');
    });

    // Multi round-trip (SEP-2322): the state is plain text; SMCP seals it against the credential on its way to the client.
    server.registerTool('test_input_required_result_elicitation', { description: 'Asks for a name.', inputSchema: none }, async (_args, ctx) => {
        const answer = accepted(ctx.mcpReq.inputResponses, 'user_name');
        if (typeof answer?.content?.name !== 'string') return inputRequired({ inputRequests: { user_name: ask('What is your name?', 'name') } });
        return text(`Hello, ${answer.content.name}!`);
    });
    server.registerTool('test_input_required_result_sampling', { description: 'Asks the client model.', inputSchema: none }, async (_args, ctx) => {
        const answer = accepted(ctx.mcpReq.inputResponses, 'capital_question');
        if (!answer) {
            return inputRequired({ inputRequests: { capital_question: inputRequired.createMessage({
                messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }], maxTokens: 100 }) } });
        }
        return text(`The model said: ${answer.content?.text ?? JSON.stringify(answer.content)}`);
    });
    server.registerTool('test_input_required_result_list_roots', { description: 'Asks for the roots.', inputSchema: none }, async (_args, ctx) => {
        const answer = accepted(ctx.mcpReq.inputResponses, 'client_roots');
        if (!Array.isArray(answer?.roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
        return text(`Roots: ${answer.roots.map(r => r.uri).join(', ')}`);
    });
    server.registerTool('test_input_required_result_request_state', { description: 'Round-trips requestState.', inputSchema: none }, async (_args, ctx) => {
        const state = ctx.mcpReq.requestState();
        if (!accepted(ctx.mcpReq.inputResponses, 'confirm') || state !== 'confirm-round-1') {
            return inputRequired({ inputRequests: { confirm: ask('Please confirm', 'ok', 'boolean') }, requestState: 'confirm-round-1' });
        }
        return text('state-ok: confirmed');
    });
    server.registerTool('test_input_required_result_tampered_state', { description: 'Checks requestState.', inputSchema: none }, async (_args, ctx) => {
        const state = ctx.mcpReq.requestState();
        if (state === undefined) return inputRequired({ inputRequests: { confirm: ask('Please confirm', 'ok', 'boolean') }, requestState: 'tamper-round-1' });
        if (state !== 'tamper-round-1') throw new Error('requestState failed verification');
        return text('state-ok');
    });
    server.registerTool('test_input_required_result_multiple_inputs', { description: 'Asks three things at once.', inputSchema: none }, async (_args, ctx) => {
        const responses = ctx.mcpReq.inputResponses;
        if (ctx.mcpReq.requestState() === 'multi-1' && ['user_name', 'greeting', 'client_roots'].every(k => accepted(responses, k))) return text('all inputs received');
        return inputRequired({
            inputRequests: {
                user_name: ask('What is your name?', 'name'),
                greeting: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 }),
                client_roots: inputRequired.listRoots(),
            },
            requestState: 'multi-1',
        });
    });
    server.registerTool('test_input_required_result_multi_round', { description: 'Two rounds of questions.', inputSchema: none }, async (_args, ctx) => {
        const state = ctx.mcpReq.requestState();
        const responses = ctx.mcpReq.inputResponses;
        if (state === 'round-2' && accepted(responses, 'step2')) return text('multi-round complete');
        if (state === 'round-1' && accepted(responses, 'step1')) {
            return inputRequired({ inputRequests: { step2: ask('Step 2: What is your favorite color?', 'color') }, requestState: 'round-2' });
        }
        return inputRequired({ inputRequests: { step1: ask('Step 1: What is your name?', 'name') }, requestState: 'round-1' });
    });
    server.registerTool('test_input_required_result_capabilities', { description: 'Asks only what the client can answer.', inputSchema: none }, async (_args, ctx) => {
        const capabilities = ctx.mcpReq.envelope?.['io.modelcontextprotocol/clientCapabilities'] ?? {};
        const requests = {};
        if (capabilities.elicitation) requests.user_name = ask('What is your name?', 'name');
        if (capabilities.sampling) requests.greeting = inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Hi' } }], maxTokens: 20 });
        if (capabilities.roots) requests.client_roots = inputRequired.listRoots();
        if (Object.keys(requests).length === 0 || Object.keys(requests).every(k => accepted(ctx.mcpReq.inputResponses, k))) return text('done');
        return inputRequired({ inputRequests: requests });
    });

    server.registerResource('static-text', 'test://static-text', { mimeType: 'text/plain' }, async () => ({
        contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
    }));
    server.registerResource('static-binary', 'test://static-binary', { mimeType: 'image/png' }, async () => ({
        contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PNG }],
    }));
    server.registerResource('template-data', new ResourceTemplate('test://template/{id}/data', {
        list: undefined, complete: { id: value => ['1', '2', '42'].filter(id => id.startsWith(value)) },
    }), { mimeType: 'application/json' }, async (uri, { id }) => ({
        contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }],
    }));

    const argValues = ['paris', 'park', 'party', 'test', 'testValue1', 'testValue2'];
    const completing = () => completable(z.string(), value => argValues.filter(v => v.startsWith(value)));
    const user = t => ({ messages: [{ role: 'user', content: { type: 'text', text: t } }] });
    server.registerPrompt('test_simple_prompt', { description: 'Simple.' }, async () => user('This is a simple prompt for testing.'));
    server.registerPrompt('test_prompt_with_arguments', { description: 'Arguments.', argsSchema: z.object({ arg1: completing(), arg2: completing() }) },
        async ({ arg1, arg2 }) => user(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`));
    server.registerPrompt('test_prompt_with_embedded_resource', { description: 'Embeds a resource.', argsSchema: z.object({ resourceUri: z.string() }) },
        async ({ resourceUri }) => ({ messages: [
            { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
            { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
        ] }));
    server.registerPrompt('test_prompt_with_image', { description: 'An image.' }, async () => ({ messages: [
        { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ] }));
    server.registerPrompt('test_input_required_result_prompt', { description: 'Asks for context first.' }, async ctx => {
        const answer = accepted(ctx.mcpReq.inputResponses, 'user_context');
        if (!answer) return inputRequired({ inputRequests: { user_context: ask('What context should the prompt use?', 'context') } });
        return user(`Context: ${answer.content?.context ?? ''}`);
    });
    return server;
}

serveStdio(() => build());
