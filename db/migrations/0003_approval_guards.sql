ALTER TABLE "runs" ADD COLUMN "error_detail" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "last_edited_by" text;