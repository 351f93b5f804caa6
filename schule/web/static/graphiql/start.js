// Starts GraphiQL on the page /graphql serves (schule/graphql/graphiql.py). A file, not an inline
// script, so that the page's Content-Security-Policy can forbid inline scripts altogether.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: root.getAttribute('data-default-query'),
      defaultEditorToolsVisibility: true,
    })
  );
})();
