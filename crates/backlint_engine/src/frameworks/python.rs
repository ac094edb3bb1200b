//! Handlers in Python: FastAPI and Flask route decorators, Flask `MethodView`s, Django
//! function and class-based views, Django REST framework views, viewsets and `@api_view`s.

use std::collections::HashSet;
use std::path::{Component, Path};

use tree_sitter::Node;

use super::{Framework, Handler, HTTP_METHODS};
use crate::semantic::Imports;
use crate::source::Source;
use crate::syntax::{member_parts, preorder_pruned, Fields};

/// The methods of a class-based view that handle a request.
const VIEW_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// The actions of a Django REST framework viewset.
const VIEWSET_ACTIONS: &[&str] = &[
    "list",
    "create",
    "retrieve",
    "update",
    "partial_update",
    "destroy",
];

/// Web frameworks whose class and function views look like Django's.
const OTHER_FRAMEWORKS: &[&str] = &[
    "datasette",
    "starlette",
    "aiohttp",
    "tornado",
    "sanic",
    "falcon",
    "quart",
    "pyramid",
    "litestar",
    "bottle",
];

pub(super) fn find(root: Node<'_>, source: &Source, imports: &Imports) -> Vec<Handler> {
    let file = File {
        source,
        uses_fastapi: imports.has_module("fastapi"),
        uses_ninja: imports.has_module("ninja"),
        uses_flask: imports.has_module("flask"),
        is_views_module: is_views_module(&source.project_path),
        uses_other_framework: OTHER_FRAMEWORKS
            .iter()
            .any(|module| imports.has_module(module)),
    };
    let has_django_function_views = file.is_views_module
        && !file.uses_fastapi
        && !file.uses_ninja
        && !file.uses_flask
        && !file.uses_other_framework;
    let mut handlers = Vec::new();
    let mut called = HashSet::new();
    // Definitions are statements: unless the calls are wanted too, the search skips the
    // expressions, which hold most of a tree's nodes.
    let nodes = preorder_pruned(root, |node| {
        has_django_function_views || STATEMENT_CONTAINERS.contains(&node.kind())
    });
    for node in nodes {
        match node.kind() {
            "decorated_definition" => file.decorated_route(node, &mut handlers),
            "class_definition" => file.class_based_view(node, &mut handlers),
            "call" => called.extend(file.called_name(node)),
            _ => {}
        }
    }
    if has_django_function_views {
        file.django_function_views(root, &called, &mut handlers);
    }
    handlers
}

/// The nodes that can hold statements, and so definitions (`ERROR` too, which can hold
/// anything).
const STATEMENT_CONTAINERS: &[&str] = &[
    "module",
    "block",
    "decorated_definition",
    "function_definition",
    "class_definition",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "try_statement",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "with_statement",
    "match_statement",
    "case_clause",
    "ERROR",
];

/// `views.py`, `views/orders.py`, `api_views.py`: where Django projects keep their views.
fn is_views_module(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or("");
    let in_views_folder = path.parent().is_some_and(|parent| {
        parent
            .components()
            .any(|component| matches!(component, Component::Normal(name) if name == "views"))
    });
    stem == "views" || stem.ends_with("_views") || in_views_folder
}

struct File<'a> {
    source: &'a Source,
    uses_fastapi: bool,
    uses_ninja: bool,
    uses_flask: bool,
    is_views_module: bool,
    /// Whether the file imports a web framework whose views look like Django's but are not
    /// recognised (`class TableView(BaseView)` in Datasette).
    uses_other_framework: bool,
}

impl File<'_> {
    fn text(&self, node: Node<'_>) -> &str {
        &self.source.text()[node.byte_range()]
    }

    /// `@app.post("/x")`, `@router.get("/x")`, `@bp.route("/x")`, `@api_view(["POST"])`.
    fn decorated_route(&self, decorated: Node<'_>, handlers: &mut Vec<Handler>) {
        let Some(function) = decorated
            .field("definition")
            .filter(|definition| definition.kind() == "function_definition")
        else {
            return;
        };
        let mut cursor = decorated.walk();
        let decorators: Vec<Node<'_>> = decorated
            .children(&mut cursor)
            .filter(|child| child.kind() == "decorator")
            .collect();
        for decorator in decorators {
            let Some(call) = decorator
                .named_child(0)
                .filter(|call| call.kind() == "call")
            else {
                continue;
            };
            let Some(callee) = call.field("function") else {
                continue;
            };
            let name = self.function_name(function);
            if self.text(callee) == "api_view" || self.text(callee).ends_with(".api_view") {
                handlers.push(handler(
                    Framework::DjangoRestFramework,
                    function,
                    name,
                    Some(decorator),
                ));
                return;
            }
            let Some((receiver, method)) = member_parts(callee) else {
                continue;
            };
            let method = self.text(method);
            let is_route_method =
                HTTP_METHODS.contains(&method) || matches!(method, "route" | "api_route");
            if !is_route_method || !self.has_path_argument(call) {
                continue;
            }
            if let Some(framework) = self.route_framework(receiver, method) {
                handlers.push(handler(framework, function, name, Some(decorator)));
                return;
            }
        }
    }

    /// Whether a route decorator's first argument is a path string (`"/x"`, `""`).
    fn has_path_argument(&self, call: Node<'_>) -> bool {
        call.field("arguments")
            .and_then(|arguments| arguments.named_child(0))
            .is_some_and(|first| {
                first.kind() == "string" && {
                    let path = self.text(first).trim_matches(['"', '\'']);
                    path.is_empty() || path.starts_with('/')
                }
            })
    }

    /// FastAPI, Django Ninja or Flask, by the file's imports, or else by the decorator's
    /// shape: Flask's `route`, FastAPI's `APIRouter` named `router`, Flask's blueprints named
    /// `bp`.
    fn route_framework(&self, receiver: Node<'_>, method: &str) -> Option<Framework> {
        if self.uses_fastapi {
            return Some(Framework::FastApi);
        }
        if self.uses_ninja {
            return Some(Framework::DjangoNinja);
        }
        if self.uses_flask {
            return Some(Framework::Flask);
        }
        let receiver = self.text(receiver).to_lowercase();
        if method == "route" || receiver.ends_with("bp") || receiver.ends_with("blueprint") {
            Some(Framework::Flask)
        } else if receiver.ends_with("router") || method == "api_route" {
            Some(Framework::FastApi)
        } else {
            None
        }
    }

    /// The HTTP methods of a class-based view: Django's `View` subclasses, Flask's
    /// `MethodView`, DRF's `APIView`s and viewsets (with their actions).
    fn class_based_view(&self, class: Node<'_>, handlers: &mut Vec<Handler>) {
        let bases: Vec<&str> = class
            .field("superclasses")
            .map(|superclasses| {
                let mut cursor = superclasses.walk();
                let bases: Vec<&str> = superclasses
                    .named_children(&mut cursor)
                    .map(|base| {
                        let text = self.text(base);
                        text.rsplit('.').next().unwrap_or(text)
                    })
                    .collect();
                bases
            })
            .unwrap_or_default();
        let framework = if bases
            .iter()
            .any(|base| base.ends_with("APIView") || base.ends_with("ViewSet"))
        {
            Framework::DjangoRestFramework
        } else if bases.contains(&"MethodView") || self.uses_flask && bases.contains(&"View") {
            Framework::Flask
        } else if bases.iter().any(|base| base.ends_with("View"))
            && !self.uses_fastapi
            && !self.uses_other_framework
        {
            Framework::Django
        } else {
            return;
        };
        let class_name = class.field("name").map_or("", |name| self.text(name));
        let Some(body) = class.field("body") else {
            return;
        };
        let mut cursor = body.walk();
        for member in body.named_children(&mut cursor) {
            let (function, decorators) = match member.kind() {
                "function_definition" => (member, None),
                "decorated_definition" => match member.field("definition") {
                    Some(definition) if definition.kind() == "function_definition" => {
                        (definition, Some(member))
                    }
                    _ => continue,
                },
                _ => continue,
            };
            let method = self.function_name(function);
            let is_action = framework == Framework::DjangoRestFramework
                && (VIEWSET_ACTIONS.contains(&method.as_str())
                    || decorators.is_some_and(|decorated| self.has_action_decorator(decorated)));
            if VIEW_METHODS.contains(&method.as_str()) || is_action {
                handlers.push(handler(
                    framework,
                    function,
                    format!("{class_name}.{method}"),
                    None,
                ));
            }
        }
    }

    /// `@action(detail=True, methods=["post"])` on a viewset method.
    fn has_action_decorator(&self, decorated: Node<'_>) -> bool {
        let mut cursor = decorated.walk();
        let found = decorated
            .children(&mut cursor)
            .filter(|child| child.kind() == "decorator")
            .any(|decorator| {
                let text = self.text(decorator);
                text.starts_with("@action") || text.contains(".action(")
            });
        found
    }

    /// `helper(request)` → `helper`, `self.helper(x)` → `helper`.
    fn called_name<'source>(&'source self, call: Node<'_>) -> Option<&'source str> {
        let callee = call.field("function")?;
        let name = match callee.kind() {
            "attribute" => callee.field("attribute")?,
            _ => callee,
        };
        Some(self.text(name))
    }

    /// The top-level functions of a views module whose first parameter is the request, and
    /// that the module does not call itself: a function the views call with their request
    /// (`editable_ids(request)`) is a helper, as is a private `_function`.
    fn django_function_views(
        &self,
        root: Node<'_>,
        called: &HashSet<&str>,
        handlers: &mut Vec<Handler>,
    ) {
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            let function = match statement.kind() {
                "function_definition" => statement,
                "decorated_definition" => match statement.field("definition") {
                    Some(definition) if definition.kind() == "function_definition" => definition,
                    _ => continue,
                },
                _ => continue,
            };
            let name = self.function_name(function);
            let is_helper = name.starts_with('_') || called.contains(name.as_str());
            if self.first_parameter(function).as_deref() == Some("request") && !is_helper {
                handlers.push(handler(Framework::Django, function, name, None));
            }
        }
    }

    fn first_parameter(&self, function: Node<'_>) -> Option<String> {
        let parameters = function.field("parameters")?;
        let first = parameters.named_child(0)?;
        let name = match first.kind() {
            "identifier" => first,
            "typed_parameter" => first.named_child(0)?,
            "default_parameter" | "typed_default_parameter" => first.field("name")?,
            _ => return None,
        };
        Some(self.text(name).to_owned())
    }

    fn function_name(&self, function: Node<'_>) -> String {
        function
            .field("name")
            .map_or_else(String::new, |name| self.text(name).to_owned())
    }
}

fn handler(
    framework: Framework,
    function: Node<'_>,
    name: String,
    registration: Option<Node<'_>>,
) -> Handler {
    Handler {
        framework,
        function: function.byte_range(),
        name,
        registration: registration.map(|node| node.byte_range()),
        middleware: Vec::new(),
    }
}

/// What the file applies to all its routes: the `dependencies=` of a module-level
/// `FastAPI(…)`/`APIRouter(…)`, and the functions decorated with Flask's `before_request`
/// (`before_app_request`), by their text. Only the file's top-level statements are read.
pub(super) fn file_middleware(root: Node<'_>, source: &Source) -> Vec<String> {
    let text = |node: Node<'_>| &source.text()[node.byte_range()];
    let mut middleware = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        match statement.kind() {
            "decorated_definition" => {
                let mut decorators = statement.walk();
                let before_request = statement
                    .children(&mut decorators)
                    .filter(|child| child.kind() == "decorator")
                    .any(|decorator| {
                        text(decorator).contains("before_") && text(decorator).contains("request")
                    });
                if before_request {
                    middleware.push(text(statement).to_owned());
                }
            }
            "expression_statement" => {
                let Some(value) = statement
                    .named_child(0)
                    .filter(|assignment| assignment.kind() == "assignment")
                    .and_then(|assignment| assignment.field("right"))
                    .filter(|value| value.kind() == "call")
                else {
                    continue;
                };
                let Some(arguments) = value.field("arguments") else {
                    continue;
                };
                let mut arguments_cursor = arguments.walk();
                middleware.extend(
                    arguments
                        .named_children(&mut arguments_cursor)
                        .filter(|argument| {
                            argument.kind() == "keyword_argument"
                                && argument
                                    .field("name")
                                    .is_some_and(|name| text(name) == "dependencies")
                        })
                        .map(|argument| text(argument).to_owned()),
                );
            }
            _ => {}
        }
    }
    middleware
}
