//! Framework recognition: which functions of a file are request handlers, and which framework
//! made them. Rules about request input, authentication and error responses start from here.
//!
//! Recognition reads one file: the path (`app/**/route.ts`, `pages/api/**`, `views.py`), the
//! imports (`express`, `fastapi`, `@nestjs/common`…), and the shapes of registrations
//! (`router.post("/x", handler)`, `@app.get("/x")`, `@Post()` in a `@Controller`). A handler
//! registered in another file (`router.post("/", controller.create)`) is not found.

mod javascript;
mod python;

use std::ops::Range;

use tree_sitter::Node;

use crate::language::Grammar;
use crate::semantic::Imports;
use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Framework {
    /// Next.js App Router: the `GET`/`POST`… exports of a `route.ts`.
    NextAppRouter,
    /// Next.js Pages Router: the default export of a file under `pages/api/`.
    NextPagesApi,
    /// A Next.js Server Action: an async function of a `"use server"` file, or one whose body
    /// starts with `"use server"`. Its parameters come from the client.
    ServerAction,
    Express,
    Fastify,
    Hono,
    Koa,
    NestJs,
    FastApi,
    /// Django Ninja: FastAPI's decorators and typed parameters on Django.
    DjangoNinja,
    Flask,
    Django,
    DjangoRestFramework,
}

impl Framework {
    /// The id shown in messages and debug output.
    pub fn id(self) -> &'static str {
        match self {
            Framework::NextAppRouter => "next-app-router",
            Framework::NextPagesApi => "next-pages-api",
            Framework::ServerAction => "server-action",
            Framework::Express => "express",
            Framework::Fastify => "fastify",
            Framework::Hono => "hono",
            Framework::Koa => "koa",
            Framework::NestJs => "nestjs",
            Framework::FastApi => "fastapi",
            Framework::DjangoNinja => "django-ninja",
            Framework::Flask => "flask",
            Framework::Django => "django",
            Framework::DjangoRestFramework => "django-rest-framework",
        }
    }
}

/// A request handler: a function that a framework calls with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub framework: Framework,
    /// The handler function's node (declaration, expression, arrow, method).
    pub function: Range<usize>,
    /// How messages name it: `POST`, `createUser`, `UsersController.create`, `POST /users`.
    pub name: String,
    /// The call or decorator that registers it (`router.post(…)`, `@app.post(…)`, `@Post()`),
    /// where the middleware and options passed with it are; `None` when the file's path or an
    /// export makes it a handler.
    pub registration: Option<Range<usize>>,
    /// What the file applies to all its routes, by text: the arguments of module-level
    /// `app.use(…)`/`router.use(…)` calls, the `dependencies` of a FastAPI app or router, the
    /// bodies of Flask `before_request` functions. Where in the file they stand is not read:
    /// rules about a missing check treat them as applying to every route.
    pub middleware: Vec<String>,
}

/// The handlers of one file.
#[derive(Debug, Default, Clone)]
pub struct Handlers {
    handlers: Vec<Handler>,
}

impl Handlers {
    pub fn find(grammar: Grammar, root: Node<'_>, source: &Source, imports: &Imports) -> Handlers {
        let (mut handlers, middleware) = match grammar {
            Grammar::Python => (
                python::find(root, source, imports),
                python::file_middleware(root, source),
            ),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => (
                javascript::find(root, source, imports),
                javascript::file_middleware(root, source),
            ),
        };
        if !middleware.is_empty() {
            for handler in &mut handlers {
                handler.middleware.clone_from(&middleware);
            }
        }
        // A function registered twice (`app.get` and `app.head` on one handler) is one handler.
        handlers.sort_by_key(|handler| (handler.function.start, handler.function.end));
        handlers.dedup_by(|later, earlier| later.function == earlier.function);
        Handlers { handlers }
    }

    /// The handlers of a file on its own: parses it. For tools and tests; the checker asks
    /// its semantic model, which reuses the file's tree.
    pub fn of_source(source: &Source, grammar: Grammar) -> Option<Handlers> {
        let tree = crate::parse::parse(grammar, source.text())?;
        let semantic = crate::semantic::Semantic::new(grammar, tree.root_node(), source);
        Some(semantic.handlers().clone())
    }

    pub fn all(&self) -> &[Handler] {
        &self.handlers
    }

    /// The handler whose function is exactly `function`.
    pub fn of_function(&self, function: Node<'_>) -> Option<&Handler> {
        let range = function.byte_range();
        self.handlers
            .binary_search_by_key(&(range.start, range.end), |handler| {
                (handler.function.start, handler.function.end)
            })
            .ok()
            .map(|index| &self.handlers[index])
    }

    /// The innermost handler whose function contains `node`.
    pub fn enclosing(&self, node: Node<'_>) -> Option<&Handler> {
        let range = node.byte_range();
        self.handlers
            .iter()
            .filter(|handler| {
                handler.function.start <= range.start && range.end <= handler.function.end
            })
            .min_by_key(|handler| handler.function.end - handler.function.start)
    }
}

/// The HTTP methods that route registrations are named after.
const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "head", "options",
];
