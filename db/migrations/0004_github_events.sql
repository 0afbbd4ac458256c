CREATE TABLE "github_events" (
	"dedupe_key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"repo" text NOT NULL,
	"number" integer,
	"source" text NOT NULL,
	"delivery_id" text,
	"event" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "task_github_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"repo" text NOT NULL,
	"number" integer NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"title" text,
	"url" text,
	"head_sha" text,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"assignees" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source_updated_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "task_github_links" ADD CONSTRAINT "task_github_links_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "github_events_pending_idx" ON "github_events" USING btree ("processed_at","received_at");--> statement-breakpoint
CREATE INDEX "github_events_received_idx" ON "github_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "task_github_links_repo_number_idx" ON "task_github_links" USING btree ("repo","number");--> statement-breakpoint
CREATE INDEX "task_github_links_task_idx" ON "task_github_links" USING btree ("task_id");